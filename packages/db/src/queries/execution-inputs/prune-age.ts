import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Drops the rows of up to `limit` kept inputs older than `maxAgeDays`, oldest first, in one
 * short statement; each keeps its row with `not_kept = 'pruned_age'` so its execution says why
 * it can no longer be replayed. Separate from execution retention: an execution usually outlives
 * its input.
 *
 * Locks: FOR UPDATE SKIP LOCKED on the chosen execution_inputs rows only (another cleaner's
 * batch is skipped, never waited for). Executors only insert into this table, so they never
 * wait on it.
 */
export async function pruneExecutionInputsByAge(
  db: Db,
  o: { maxAgeDays: number; limit: number },
): Promise<number> {
  const { rows } = await sql<{ pruned: number }>`
    WITH doomed AS (
      SELECT execution_id FROM execution_inputs
      WHERE rows_gz IS NOT NULL
        AND created_at < now() - make_interval(days => ${o.maxAgeDays})
      ORDER BY created_at, execution_id
      LIMIT ${o.limit}
      FOR UPDATE SKIP LOCKED
    ), pruned AS (
      UPDATE execution_inputs x SET rows_gz = NULL, not_kept = 'pruned_age', pruned_at = now()
      FROM doomed WHERE x.execution_id = doomed.execution_id
      RETURNING 1
    )
    SELECT count(*)::int AS pruned FROM pruned`.execute(db);
  return rows[0]?.pruned ?? 0;
}
