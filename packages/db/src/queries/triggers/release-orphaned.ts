import type { Kysely } from "kysely";
import { sql } from "kysely";

import type { Database } from "../../database.js";

/**
 * Hands back every trigger `workerId` holds in the database but is not running (`keepTriggerIds`
 * are the ones it is running), without spending an attempt, and cancels their open execution
 * rows. Used after a claim whose answer was lost (the connection dropped around COMMIT): the
 * claim may have committed, and those triggers would otherwise wait a whole lease and lose an attempt.
 */
export async function releaseOrphanedClaims(
  db: Kysely<Database>,
  {
    workerId,
    keepTriggerIds,
    reason,
  }: { workerId: string; keepTriggerIds: readonly number[]; reason: string },
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    WITH orphans AS (
      UPDATE triggers t SET status = 'pending', attempt = t.attempt - 1, available_at = now(),
             lease_expires_at = NULL, last_error = ${reason}, updated_at = now()
      WHERE t.claimed_by = ${workerId} AND t.status = 'running' AND t.id <> ALL(${[...keepTriggerIds]}::bigint[])
      RETURNING t.id
    ),
    closed AS (
      UPDATE executions e SET status = 'cancelled', error_message = ${reason}, finished_at = now(),
             duration_ms = greatest(0, floor(extract(epoch FROM now() - coalesce(e.started_at, now())) * 1000))::int
      FROM orphans o WHERE e.trigger_id = o.id AND e.status IN ('pending', 'running')
    )
    SELECT id FROM orphans`.execute(db);
  return rows.length;
}
