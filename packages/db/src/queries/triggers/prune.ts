import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface PruneTriggersOptions {
  olderThanDays: number;
  limit: number;
  /** Keyset cursor over (finished_at, id) from the previous batch of this pass. */
  after?: TriggerCursor | null;
}

/** `finishedAt` is PostgreSQL's text form: a JS Date would drop the microseconds. */
export interface TriggerCursor {
  finishedAt: string;
  id: number;
}

export interface PrunedTriggers {
  deleted: number;
  /** Where this batch stopped; null when it found fewer than `limit` rows (the pass is done). */
  next: TriggerCursor | null;
}

/**
 * Deletes up to `limit` finished triggers (succeeded, failed, skipped, cancelled) whose
 * `finished_at` is older than `olderThanDays`, oldest first, walking triggers_finished_idx.
 *
 * Never touched: pending and running triggers (the status filter, re-checked on the locked
 * row), and any trigger an execution still refers to, live or kept by retention; so a kept
 * execution keeps its trigger, and deleting a trigger never cascades into `executions`.
 *
 * Locks: FOR UPDATE SKIP LOCKED on the chosen triggers rows. A trigger a claimer, the
 * trigger-creator or another cleaner holds is skipped, never waited for. Rows kept for an
 * execution are stepped over by the (finished_at, id) cursor, not rescanned every batch.
 */
export async function pruneFinishedTriggers(
  db: Db,
  o: PruneTriggersOptions,
): Promise<PrunedTriggers> {
  const cursor = o.after ?? null;
  const after =
    cursor === null
      ? sql<boolean>`true`
      : sql<boolean>`t.finished_at >= ${cursor.finishedAt}::timestamptz
          AND (t.finished_at > ${cursor.finishedAt}::timestamptz OR t.id > ${cursor.id})`;
  const { rows } = await sql<{
    deleted: number;
    scanned: number;
    last_finished_at: string | null;
    last_id: number | null;
  }>`
    WITH scanned AS (
      SELECT t.id, t.finished_at,
             NOT EXISTS (SELECT 1 FROM executions e WHERE e.trigger_id = t.id) AS unreferenced
      FROM triggers t
      WHERE t.status IN ('succeeded', 'failed', 'skipped', 'cancelled')
        AND t.finished_at < now() - make_interval(days => ${o.olderThanDays})
        AND ${after}
      ORDER BY t.finished_at, t.id
      LIMIT ${o.limit}
      FOR UPDATE OF t SKIP LOCKED
    ), deleted AS (
      DELETE FROM triggers x USING scanned s WHERE x.id = s.id AND s.unreferenced
      RETURNING x.id
    ), last AS (
      SELECT finished_at::text AS finished_at, id FROM scanned ORDER BY finished_at DESC, id DESC LIMIT 1
    )
    SELECT (SELECT count(*) FROM deleted)::int AS deleted, (SELECT count(*) FROM scanned)::int AS scanned,
           (SELECT finished_at FROM last) AS last_finished_at, (SELECT id FROM last) AS last_id`.execute(
    db,
  );
  const row = rows[0];
  const next =
    row === undefined ||
    row.scanned < o.limit ||
    row.last_finished_at === null ||
    row.last_id === null
      ? null
      : { finishedAt: row.last_finished_at, id: row.last_id };
  return { deleted: row?.deleted ?? 0, next };
}
