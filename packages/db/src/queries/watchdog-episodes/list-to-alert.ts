import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { JsonValue } from "../../tables/common.js";
import type { WatchdogReason } from "../../tables/watchdog-episodes.js";

export interface EpisodeToAlert {
  id: number;
  project_id: string;
  project_name: string;
  /** The project's `config.alert` as stored (the caller validates it). */
  alert: JsonValue;
  /** The project's `config.channels` as stored (null: none), which `alert.channels` names. */
  channels: JsonValue | null;
  schedule_id: number | null;
  cron_expression: string | null;
  timezone: string | null;
  expected_at: Date;
  opened_at: Date;
  reason: WatchdogReason;
  detail: string;
}

/**
 * Open episodes not alerted yet, of projects whose config has an `alert` section, oldest
 * first. No locks: `markWatchdogEpisodeAlerted` decides, in the transaction that queues the alert.
 */
export async function listWatchdogEpisodesToAlert(
  db: Db,
  { limit }: { limit: number },
): Promise<EpisodeToAlert[]> {
  const { rows } = await sql<EpisodeToAlert>`
    SELECT w.id, w.project_id, p.name AS project_name, p.config -> 'alert' AS alert,
           p.config -> 'channels' AS channels,
           w.schedule_id, s.cron_expression, s.timezone, w.expected_at, w.opened_at,
           w.reason, w.detail
    FROM watchdog_episodes w
    JOIN projects p ON p.id = w.project_id
    LEFT JOIN schedules s ON s.id = w.schedule_id
    WHERE w.closed_at IS NULL AND w.alerted_at IS NULL
      AND jsonb_typeof(p.config -> 'alert') = 'object'
    ORDER BY w.id
    LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    schedule_id: r.schedule_id === null ? null : Number(r.schedule_id),
  }));
}
