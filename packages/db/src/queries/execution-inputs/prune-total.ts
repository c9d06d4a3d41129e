import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Keeps the kept inputs' compressed total at most `maxBytes`: drops the rows of up to `limit` of
 * the oldest inputs beyond it (newest are kept first), marking them `pruned_total`.
 *
 * Locks: FOR UPDATE SKIP LOCKED on the chosen rows only. The running sum reads every kept
 * input's size through execution_inputs_kept_idx (no row locks); a row skipped because another
 * cleaner holds it is that cleaner's to prune.
 */
export async function pruneExecutionInputsOverTotal(
  db: Db,
  o: { maxBytes: number; limit: number },
): Promise<number> {
  const { rows } = await sql<{ pruned: number }>`
    WITH ranked AS (
      SELECT execution_id,
             sum(bytes) OVER (ORDER BY created_at DESC, execution_id DESC) AS newer_total
      FROM execution_inputs
      WHERE rows_gz IS NOT NULL
    ), doomed AS (
      SELECT x.execution_id FROM execution_inputs x
      JOIN ranked r ON r.execution_id = x.execution_id
      WHERE r.newer_total > ${o.maxBytes} AND x.rows_gz IS NOT NULL
      ORDER BY x.created_at, x.execution_id
      LIMIT ${o.limit}
      FOR UPDATE OF x SKIP LOCKED
    ), pruned AS (
      UPDATE execution_inputs x SET rows_gz = NULL, not_kept = 'pruned_total', pruned_at = now()
      FROM doomed WHERE x.execution_id = doomed.execution_id
      RETURNING 1
    )
    SELECT count(*)::int AS pruned FROM pruned`.execute(db);
  return rows[0]?.pruned ?? 0;
}
