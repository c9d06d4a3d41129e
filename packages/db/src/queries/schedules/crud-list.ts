import type { Db } from "../../pool.js";
import type { ScheduleRow } from "../../tables/schedules.js";

/** A project's schedules in id order (schedules_project_idx). */
export async function listProjectSchedules(
  db: Db,
  projectId: string,
): Promise<ScheduleRow[]> {
  return db
    .selectFrom("schedules")
    .selectAll()
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
}

/** One schedule of a project; undefined when it does not exist or belongs to another project. */
export async function getProjectSchedule(
  db: Db,
  projectId: string,
  scheduleId: number,
): Promise<ScheduleRow | undefined> {
  return db
    .selectFrom("schedules")
    .selectAll()
    .where("id", "=", scheduleId)
    .where("project_id", "=", projectId)
    .executeTakeFirst();
}

/** Every schedule (for POST /projects/refresh). */
export async function listAllSchedules(db: Db): Promise<ScheduleRow[]> {
  return db.selectFrom("schedules").selectAll().orderBy("id").execute();
}
