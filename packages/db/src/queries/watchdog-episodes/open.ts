import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { WatchdogReason } from "../../tables/watchdog-episodes.js";

export interface SilentSchedule {
  projectId: string;
  scheduleId: number;
  expectedAt: Date;
  lastFinishedAt: Date | null;
  reason: WatchdogReason;
  detail: string;
}

export interface OpenedEpisode {
  id: number;
  schedule_id: number;
  reason: WatchdogReason;
  /** True for a new episode, false for an open one whose reason and detail were refreshed. */
  opened: boolean;
}

/**
 * Opens an episode for each silent schedule, or refreshes the reason and detail of its open
 * one (the partial unique index watchdog_episodes_open_schedule_idx allows one open episode
 * per schedule, so a second watchdog racing this one cannot open a duplicate). `expected_at`
 * and `opened_at` of an open episode never move. Locks each schedule `FOR KEY SHARE`, in id
 * order like every writer of schedules (packages/db/README.md, "Lock order"), so it waits only
 * for a project write holding it `FOR UPDATE`; a schedule deleted meanwhile is then left out
 * instead of failing the insert on its foreign key.
 */
export async function openWatchdogEpisodes(
  db: Db,
  silent: readonly SilentSchedule[],
): Promise<OpenedEpisode[]> {
  if (silent.length === 0) {
    return [];
  }
  const { rows } = await sql<OpenedEpisode>`
    INSERT INTO watchdog_episodes AS w
      (project_id, schedule_id, expected_at, last_finished_at, reason, detail)
    SELECT x.project_id, x.schedule_id, x.expected_at, x.last_finished_at, x.reason, x.detail
    FROM unnest(${silent.map((s) => s.projectId)}::text[],
                ${silent.map((s) => s.scheduleId)}::bigint[],
                ${silent.map((s) => s.expectedAt.toISOString())}::timestamptz[],
                ${silent.map((s) => s.lastFinishedAt?.toISOString() ?? null)}::timestamptz[],
                ${silent.map((s) => s.reason)}::text[],
                ${silent.map((s) => s.detail)}::text[])
         AS x(project_id, schedule_id, expected_at, last_finished_at, reason, detail)
    JOIN schedules s ON s.id = x.schedule_id
    ORDER BY x.schedule_id
    FOR KEY SHARE OF s
    ON CONFLICT (schedule_id) WHERE closed_at IS NULL
    DO UPDATE SET reason = excluded.reason, detail = excluded.detail, updated_at = now()
      WHERE (w.reason, w.detail) IS DISTINCT FROM (excluded.reason, excluded.detail)
    RETURNING w.id, w.schedule_id, w.reason, (xmax = 0) AS opened`.execute(db);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    schedule_id: Number(r.schedule_id),
  }));
}
