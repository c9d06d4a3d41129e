import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface SilenceQuery {
  scheduleId: number;
  /** The fire time that should have produced a finished run. */
  expectedAt: Date;
}

/** What a silent schedule's triggers since its expected fire time (up to now) look like. */
export interface ScheduleSilence {
  schedule_id: number;
  total: number;
  pending: number;
  running: number;
  skipped: number;
  cancelled: number;
  /** The oldest due pending trigger's fire time. */
  oldest_pending_at: Date | null;
  /** When the oldest running trigger was claimed. */
  oldest_running_since: Date | null;
  /** `last_error` of the newest skipped or cancelled trigger. */
  last_skip_reason: string | null;
}

/**
 * Counts the due triggers of each schedule from its expected fire time on, by status, through
 * triggers_schedule_fire_at_key. One statement for a batch of schedules; no locks.
 */
export async function describeScheduleSilence(
  db: Db,
  queries: readonly SilenceQuery[],
): Promise<ScheduleSilence[]> {
  if (queries.length === 0) {
    return [];
  }
  const { rows } = await sql<ScheduleSilence>`
    SELECT x.schedule_id,
           count(t.id)::int AS total,
           count(t.id) FILTER (WHERE t.status = 'pending')::int AS pending,
           count(t.id) FILTER (WHERE t.status = 'running')::int AS running,
           count(t.id) FILTER (WHERE t.status = 'skipped')::int AS skipped,
           count(t.id) FILTER (WHERE t.status = 'cancelled')::int AS cancelled,
           min(t.fire_at) FILTER (WHERE t.status = 'pending') AS oldest_pending_at,
           min(t.claimed_at) FILTER (WHERE t.status = 'running') AS oldest_running_since,
           (array_agg(t.last_error ORDER BY t.fire_at DESC)
              FILTER (WHERE t.status IN ('skipped', 'cancelled')))[1] AS last_skip_reason
    FROM unnest(${queries.map((q) => q.scheduleId)}::bigint[],
                ${queries.map((q) => q.expectedAt.toISOString())}::timestamptz[])
         AS x(schedule_id, expected_at)
    LEFT JOIN triggers t
      ON t.schedule_id = x.schedule_id AND t.fire_at >= x.expected_at AND t.fire_at <= now()
    GROUP BY x.schedule_id
    ORDER BY x.schedule_id`.execute(db);
  return rows.map((r) => ({ ...r, schedule_id: Number(r.schedule_id) }));
}
