import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { FINISHED_EXECUTION_STATUSES } from "./finished-statuses.js";

export interface WatchedSchedule {
  schedule_id: number;
  project_id: string;
  cron_expression: string;
  timezone: string;
  /** The schedule's and its project's latest change: fire times before it are not expected. */
  watched_since: Date;
  /** `config.timeout_seconds` when it is a number, else null (the contract's default applies). */
  timeout_seconds: number | null;
  /**
   * When the run of the newest trigger of this schedule with a finished execution finished: a
   * long run that a `forbid` schedule's later fire times were skipped for still shows life.
   */
  last_finished_at: Date | null;
}

export interface ListWatchedOptions {
  /** Keyset cursor: only schedules with a larger id. */
  afterId: number;
  limit: number;
}

/**
 * Active, valid schedules of active projects, in id order, each with when its newest finished
 * run finished: the newest trigger (triggers_schedule_fire_at_key, backwards) with an
 * execution that reached an outcome (executions_trigger_idx). No locks: the watchdog only reads.
 */
export async function listWatchedSchedules(
  db: Db,
  o: ListWatchedOptions,
): Promise<WatchedSchedule[]> {
  const { rows } = await sql<WatchedSchedule>`
    SELECT s.id AS schedule_id, s.project_id, s.cron_expression, s.timezone,
           greatest(s.created_at, s.updated_at, p.updated_at) AS watched_since,
           CASE WHEN jsonb_typeof(p.config -> 'timeout_seconds') = 'number'
                THEN (p.config ->> 'timeout_seconds')::numeric::int END AS timeout_seconds,
           lf.finished_at AS last_finished_at
    FROM schedules s
    JOIN projects p ON p.id = s.project_id
    LEFT JOIN LATERAL (
      SELECT (SELECT max(e.finished_at) FROM executions e
              WHERE e.trigger_id = t.id
                AND e.status = ANY(${[...FINISHED_EXECUTION_STATUSES]}::text[])) AS finished_at
      FROM triggers t
      WHERE t.schedule_id = s.id
        AND EXISTS (SELECT 1 FROM executions e
                    WHERE e.trigger_id = t.id
                      AND e.status = ANY(${[...FINISHED_EXECUTION_STATUSES]}::text[]))
      ORDER BY t.fire_at DESC LIMIT 1
    ) lf ON true
    WHERE s.is_active AND p.is_active AND s.invalid_reason IS NULL
      AND s.id > ${o.afterId}
    ORDER BY s.id
    LIMIT ${o.limit}`.execute(db);
  return rows.map((r) => ({ ...r, schedule_id: Number(r.schedule_id) }));
}
