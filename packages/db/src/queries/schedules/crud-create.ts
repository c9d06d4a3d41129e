import type { Db } from "../../pool.js";
import type {
  ConcurrencyPolicy,
  MisfirePolicy,
  ScheduleRow,
} from "../../tables/schedules.js";

export interface ScheduleFields {
  cron_expression: string;
  timezone: string;
  concurrency_policy: ConcurrencyPolicy;
  misfire_policy: MisfirePolicy;
  starting_deadline_seconds: number | null;
  is_active: boolean;
}

/** @throws the foreign key violation (23503) when the project does not exist */
export async function createSchedule(
  db: Db,
  projectId: string,
  s: ScheduleFields,
): Promise<ScheduleRow> {
  return db
    .insertInto("schedules")
    .values({ project_id: projectId, ...s })
    .returningAll()
    .executeTakeFirstOrThrow();
}
