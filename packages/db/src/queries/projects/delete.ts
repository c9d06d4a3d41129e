import type { Db } from "../../pool.js";

/**
 * Deletes a project; schedules, rules, triggers, executions, findings, discrepancies,
 * outbox rows and datasets go with it (ON DELETE CASCADE). A running detector of the
 * project loses its lease on the next heartbeat because its trigger row is gone.
 */
export async function deleteProject(db: Db, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom("projects")
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
