import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { TriggerRow } from "../../tables/triggers.js";

export interface RequestRunOptions {
  projectId: string;
  windowStart?: Date | null;
  windowEnd?: Date | null;
  requestedBy: string;
  maxAttempts: number;
}

/**
 * "Run now": a `manual` trigger due immediately (database clock). It has no schedule, so
 * the (schedule_id, fire_at) key never collides and two clicks make two runs, as asked.
 * The insert's statement trigger NOTIFYs the executors.
 */
export async function requestProjectRun(
  db: Db,
  o: RequestRunOptions,
): Promise<TriggerRow> {
  return db
    .insertInto("triggers")
    .values({
      project_id: o.projectId,
      fire_at: sql<Date>`now()`,
      available_at: sql<Date>`now()`,
      source: "manual",
      max_attempts: o.maxAttempts,
      window_start: o.windowStart ?? null,
      window_end: o.windowEnd ?? null,
      requested_by: o.requestedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
