import type { Db } from "../../pool.js";

/** Deletes a schedule; its triggers keep their history with schedule_id set to null. */
export async function deleteSchedule(
  db: Db,
  projectId: string,
  scheduleId: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom("schedules")
    .where("id", "=", scheduleId)
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
