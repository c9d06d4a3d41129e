import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";

export interface ExtendLeasesOptions {
  workerId: string;
  /** The claims this worker believes it holds. */
  claims: readonly {
    triggerId: number;
    attempt: number;
    executionId: number;
  }[];
  leaseSeconds: number;
}

/**
 * Extends the leases of all of a worker's running claims in one statement and returns the
 * trigger ids it still owns. A claim missing from the answer was lost (rescued, cancelled by
 * `replace`, or re-claimed): its run must be killed and must write nothing.
 * Locks only the worker's own running rows, which no claimer waits on (they lock pending rows).
 */
export async function extendLeases(
  db: Kysely<Database>,
  { workerId, claims, leaseSeconds }: ExtendLeasesOptions,
): Promise<Set<number>> {
  if (claims.length === 0) {
    return new Set();
  }
  const { rows } = await sql<{ id: number }>`
    UPDATE triggers t SET lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
    FROM unnest(${claims.map((c) => c.triggerId)}::bigint[], ${claims.map((c) => c.attempt)}::int[],
                ${claims.map((c) => c.executionId)}::bigint[]) AS f(id, attempt, execution_id)
    WHERE t.id = f.id AND t.attempt = f.attempt AND t.claimed_by = ${workerId} AND t.status = 'running'
      -- a rescue gives the attempt back, so a re-claim by the same worker may carry the same
      -- attempt: the execution, closed as lost by the rescue, is what tells the old claim apart
      AND EXISTS (SELECT 1 FROM executions x WHERE x.id = f.execution_id AND x.trigger_id = t.id AND x.status = 'running')
    RETURNING t.id`.execute(db);
  return new Set(rows.map((r) => r.id));
}
