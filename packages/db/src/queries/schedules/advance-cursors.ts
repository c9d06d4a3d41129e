import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface ScheduleCursor {
  scheduleId: number;
  /** The schedule version the triggers were made from, as read. */
  version: number;
  /** The newest fire time now materialized. */
  materializedUntil: Date;
  /** The first fire time after it; null when the expression never fires again. */
  nextUnmaterializedAt: Date | null;
}

/**
 * Moves the cursors of a batch of schedules in one statement and clears their invalid_reason
 * (they planned fine). Run it in the transaction that inserted the batch's triggers, so that
 * materialized_version always names the version whose triggers may exist:
 * - unchanged since read: cursor, next fire and materialized_version move;
 * - changed meanwhile: only materialized_version is set (to the version the triggers were
 *   made from), so the next pass sees the difference, cancels them and starts over.
 * Returns how many cursors moved.
 */
export async function advanceScheduleCursors(
  db: Db,
  cursors: readonly ScheduleCursor[],
): Promise<number> {
  if (cursors.length === 0) {
    return 0;
  }
  const { rows } = await sql<{ moved: boolean }>`
    update schedules as s
    set materialized_version = x.version,
        materialized_until = case when s.version = x.version then x.materialized_until else s.materialized_until end,
        next_unmaterialized_at = case when s.version = x.version then x.next_unmaterialized_at else s.next_unmaterialized_at end,
        invalid_reason = case when s.version = x.version then null else s.invalid_reason end
    from unnest(${cursors.map((c) => c.scheduleId)}::bigint[],
                ${cursors.map((c) => c.version)}::int[],
                ${cursors.map((c) => c.materializedUntil.toISOString())}::timestamptz[],
                ${cursors.map((c) => c.nextUnmaterializedAt?.toISOString() ?? null)}::timestamptz[])
         as x(id, version, materialized_until, next_unmaterialized_at)
    where s.id = x.id
    returning s.version = x.version as moved`.execute(db);
  return rows.filter((r) => r.moved).length;
}
