import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { TriggerSource } from "../../tables/triggers.js";

export interface QueueItem {
  trigger_id: number;
  project_id: string;
  project_name: string;
  schedule_id: number | null;
  fire_at: Date;
  available_at: Date;
  source: TriggerSource;
  attempt: number;
  cron_expression: string | null;
  timezone: string | null;
}

/**
 * The next pending triggers, soonest first: triggers_due_idx (available_at, pending only)
 * for the whole queue, triggers_project_pending_idx with a project filter.
 */
export async function listQueue(
  db: Db,
  o: {
    limit: number;
    projectId?: string;
    /** Only these projects (a project-limited token's); empty: none. */
    projectIds?: readonly string[];
  },
): Promise<QueueItem[]> {
  let q = db
    .selectFrom("triggers as t")
    .innerJoin("projects as p", "p.id", "t.project_id")
    .leftJoin("schedules as s", "s.id", "t.schedule_id")
    .select([
      "t.id as trigger_id",
      "t.project_id",
      "p.name as project_name",
      "t.schedule_id",
      "t.fire_at",
      "t.available_at",
      "t.source",
      "t.attempt",
      "s.cron_expression",
      "s.timezone",
    ])
    .where("t.status", "=", "pending");
  if (o.projectIds !== undefined) {
    q = q.where(sql<boolean>`t.project_id = any(${[...o.projectIds]}::text[])`);
  }
  q =
    o.projectId === undefined
      ? q.orderBy("t.available_at")
      : q.where("t.project_id", "=", o.projectId).orderBy("t.fire_at");
  return q.orderBy("t.id").limit(o.limit).execute();
}
