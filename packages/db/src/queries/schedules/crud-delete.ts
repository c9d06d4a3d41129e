import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";

/**
 * Deletes a schedule; its triggers keep their history with schedule_id set to null. The
 * project row is locked first (the lock order of lockProjectForWrite).
 */
export async function deleteSchedule(
  db: Db,
  projectId: string,
  scheduleId: number,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await sql`select id from projects where id = ${projectId} for no key update`.execute(
      trx,
    );
    const result = await trx
      .deleteFrom("schedules")
      .where("id", "=", scheduleId)
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  });
}
