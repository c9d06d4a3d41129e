import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";
import { lockProjectForWrite } from "./lock.js";

/**
 * Deletes a project; schedules, rules, triggers, executions, findings, discrepancies,
 * outbox rows and datasets go with it (ON DELETE CASCADE). A running detector of the
 * project loses its lease on the next heartbeat because its trigger row is gone.
 * The project row and its schedules are locked first (lockProjectForWrite), so the cascade
 * never meets a schedule the trigger-creator is materializing: the creator holds the
 * project's KEY SHARE lock while it does, and this waits for it.
 */
export async function deleteProject(db: Db, id: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    if (!(await lockProjectForWrite(trx, id, "delete"))) {
      return false;
    }
    const result = await trx
      .deleteFrom("projects")
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  });
}
