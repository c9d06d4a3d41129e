import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { WatchdogCloseReason } from "../../tables/watchdog-episodes.js";
import { FINISHED_EXECUTION_STATUSES } from "./finished-statuses.js";

export interface ClosedEpisode {
  id: number;
  project_id: string;
  schedule_id: number | null;
  close_reason: WatchdogCloseReason;
}

/**
 * Closes every open episode whose silence is over, first matching reason wins: its schedule
 * was deleted, paused (or its project suspended), a run of it finished at or after the expected
 * fire time (`recovered`), or the schedule or its project changed
 * after the expected time (the watchdog's expectation starts afresh). Locks the episode rows
 * it closes; the leader alone writes them.
 */
export async function closeWatchdogEpisodes(db: Db): Promise<ClosedEpisode[]> {
  const { rows } = await sql<ClosedEpisode>`
    UPDATE watchdog_episodes w
    SET closed_at = now(), close_reason = c.reason, updated_at = now()
    FROM (
      SELECT o.id,
             CASE
               WHEN s.id IS NULL THEN 'schedule_deleted'
               WHEN NOT s.is_active OR NOT p.is_active THEN 'schedule_paused'
               WHEN EXISTS (
                 SELECT 1 FROM triggers t JOIN executions e ON e.trigger_id = t.id
                 WHERE t.schedule_id = s.id AND e.finished_at >= o.expected_at
                   AND e.status = ANY(${[...FINISHED_EXECUTION_STATUSES]}::text[])
               ) THEN 'recovered'
               WHEN greatest(s.updated_at, p.updated_at) > o.expected_at THEN 'schedule_changed'
             END AS reason
      FROM watchdog_episodes o
      LEFT JOIN schedules s ON s.id = o.schedule_id
      JOIN projects p ON p.id = o.project_id
      WHERE o.closed_at IS NULL
    ) c
    WHERE w.id = c.id AND c.reason IS NOT NULL AND w.closed_at IS NULL
    RETURNING w.id, w.project_id, w.schedule_id, w.close_reason`.execute(db);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    schedule_id: r.schedule_id === null ? null : Number(r.schedule_id),
  }));
}
