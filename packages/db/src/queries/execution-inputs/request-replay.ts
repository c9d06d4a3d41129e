import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { TriggerRow } from "../../tables/triggers.js";

/**
 * A `replay` trigger due now for the execution `executionId`: its project, its stored window,
 * `replay_of` pointing at it, the project's `max_attempts`. Inserted only while that execution's
 * input is still kept (checked in the same statement, so a prune in between makes no trigger);
 * undefined otherwise (`describeExecutionInput` says why). The insert's statement trigger NOTIFYs
 * the executors.
 */
export async function requestReplay(
  db: Db,
  o: { executionId: number; requestedBy: string },
): Promise<TriggerRow | undefined> {
  const { rows } = await sql<TriggerRow>`
    INSERT INTO triggers (project_id, fire_at, available_at, source, max_attempts,
                          window_start, window_end, requested_by, replay_of)
    SELECT i.project_id, now(), now(), 'replay', p.max_attempts,
           i.window_start, i.window_end, ${o.requestedBy}, i.execution_id
    FROM execution_inputs i
    JOIN projects p ON p.id = i.project_id
    WHERE i.execution_id = ${o.executionId} AND i.rows_gz IS NOT NULL
    RETURNING *`.execute(db);
  return rows[0];
}
