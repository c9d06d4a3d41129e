import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { ClaimFence } from "./claim-fence.js";

export interface ExtendLeasesOptions {
  workerId: string;
  /** The claims this worker believes it holds. */
  claims: readonly { triggerId: number; attempt: number }[];
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
    FROM unnest(${claims.map((c) => c.triggerId)}::bigint[], ${claims.map((c) => c.attempt)}::int[]) AS f(id, attempt)
    WHERE t.id = f.id AND t.attempt = f.attempt AND t.claimed_by = ${workerId} AND t.status = 'running'
    RETURNING t.id`.execute(db);
  return new Set(rows.map((r) => r.id));
}

/** Extends one claim's lease; false means the lease was lost. */
export async function extendLease(
  db: Kysely<Database>,
  fence: ClaimFence & { leaseSeconds: number },
): Promise<boolean> {
  const owned = await extendLeases(db, {
    workerId: fence.workerId,
    claims: [fence],
    leaseSeconds: fence.leaseSeconds,
  });
  return owned.has(fence.triggerId);
}
