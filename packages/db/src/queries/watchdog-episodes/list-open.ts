import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { WatchdogReason } from "../../tables/watchdog-episodes.js";

export interface OpenWatchdogEpisode {
  id: number;
  project_id: string;
  project_name: string;
  schedule_id: number | null;
  cron_expression: string | null;
  timezone: string | null;
  opened_at: Date;
  expected_at: Date;
  last_finished_at: Date | null;
  reason: WatchdogReason;
  detail: string;
  alerted_at: Date | null;
}

export interface ListOpenEpisodesOptions {
  /** Only these projects (a token limited to some projects); undefined: all. */
  projectIds?: readonly string[];
  limit: number;
}

/** Open episodes, oldest first, through watchdog_episodes_open_schedule_idx (the open set is small). */
export async function listOpenWatchdogEpisodes(
  db: Db,
  o: ListOpenEpisodesOptions,
): Promise<OpenWatchdogEpisode[]> {
  const projectIds = o.projectIds === undefined ? null : [...o.projectIds];
  const { rows } = await sql<OpenWatchdogEpisode>`
    SELECT w.id, w.project_id, p.name AS project_name, w.schedule_id, s.cron_expression,
           s.timezone, w.opened_at, w.expected_at, w.last_finished_at, w.reason, w.detail,
           w.alerted_at
    FROM watchdog_episodes w
    JOIN projects p ON p.id = w.project_id
    LEFT JOIN schedules s ON s.id = w.schedule_id
    WHERE w.closed_at IS NULL
      AND (${projectIds}::text[] IS NULL OR w.project_id = ANY(${projectIds}::text[]))
    ORDER BY w.opened_at, w.id
    LIMIT ${o.limit}`.execute(db);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    schedule_id: r.schedule_id === null ? null : Number(r.schedule_id),
  }));
}
