import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface ScheduledTriggerInput {
  scheduleId: number;
  fireAt: Date;
  source: "schedule" | "catchup";
  /** From the project's config at planning time. */
  maxAttempts: number;
  /** The schedule version the fire time was planned from. */
  scheduleVersion: number;
}

/**
 * Inserts a batch of scheduled triggers in one statement (five array parameters, whatever
 * the batch size: no per-row round trips and no 65,535-parameter limit).
 *
 * - Idempotent: the unique key (schedule_id, fire_at) makes a run once, however many
 *   creators insert it.
 * - Guarded: a row is only made while its schedule is active and still has the version it
 *   was planned from, so a creator that read a schedule just before it changed, or was
 *   deleted, makes nothing stale (and never trips a foreign key).
 * - Re-made, not duplicated: when a schedule changes, the creator cancels its not-yet-claimed
 *   triggers; a fire time the new definition keeps hits the old row, which is revived with
 *   the new version and policies when it was never claimed (attempt = 0) and is still pending
 *   or cancelled. A claimed, finished or skipped run is never touched.
 * - concurrency_policy, starting_deadline_seconds and project_id come from the schedule row
 *   itself, so the executor's claim needs no join; available_at = fire_at.
 * - Rows are sorted by (schedule_id, fire_at) so that two creators lock conflicting keys in
 *   the same order and cannot deadlock.
 *
 * Returns how many rows were inserted or revived.
 */
export async function insertScheduledTriggers(
  db: Db,
  rows: readonly ScheduledTriggerInput[],
): Promise<number> {
  if (rows.length === 0) {
    return 0;
  }
  const sorted = sortUnique(rows);
  const result = await sql`
    insert into triggers as t
      (schedule_id, project_id, fire_at, available_at, source, max_attempts,
       concurrency_policy, starting_deadline_seconds, schedule_version)
    select s.id, s.project_id, x.fire_at, x.fire_at, x.source, x.max_attempts,
           s.concurrency_policy, s.starting_deadline_seconds, s.version
    from unnest(${sorted.map((r) => r.scheduleId)}::bigint[],
                ${sorted.map((r) => r.fireAt.toISOString())}::timestamptz[],
                ${sorted.map((r) => r.source)}::text[],
                ${sorted.map((r) => r.maxAttempts)}::int[],
                ${sorted.map((r) => r.scheduleVersion)}::int[])
         with ordinality as x(schedule_id, fire_at, source, max_attempts, schedule_version, n)
    join schedules s on s.id = x.schedule_id and s.version = x.schedule_version and s.is_active
    order by x.n
    on conflict (schedule_id, fire_at) do update
      set status = 'pending',
          source = excluded.source,
          available_at = excluded.available_at,
          max_attempts = excluded.max_attempts,
          concurrency_policy = excluded.concurrency_policy,
          starting_deadline_seconds = excluded.starting_deadline_seconds,
          schedule_version = excluded.schedule_version,
          last_error = null,
          finished_at = null,
          updated_at = now()
      where t.status in ('pending', 'cancelled')
        and t.attempt = 0
        and coalesce(t.schedule_version, 0) < excluded.schedule_version`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0n);
}

/** Sorted by (schedule_id, fire_at), duplicates dropped: ON CONFLICT DO UPDATE may not meet a key twice in one statement. */
function sortUnique(
  rows: readonly ScheduledTriggerInput[],
): ScheduledTriggerInput[] {
  const sorted = [...rows].sort(
    (a, b) =>
      a.scheduleId - b.scheduleId || a.fireAt.getTime() - b.fireAt.getTime(),
  );
  return sorted.filter((r, i) => {
    const prev = sorted[i - 1];
    return (
      prev === undefined ||
      prev.scheduleId !== r.scheduleId ||
      prev.fireAt.getTime() !== r.fireAt.getTime()
    );
  });
}
