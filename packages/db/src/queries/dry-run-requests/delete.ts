import type { Db } from "../../pool.js";

/**
 * Removes a dry run whose wait is over; deleting a running one is how it is cancelled (its
 * executor's next lease renewal finds no row). Returns its last state; undefined when gone.
 */
export async function deleteDryRunRequest(
  db: Db,
  id: number,
): Promise<{ status: string; workerId: string | null } | undefined> {
  const row = await db
    .deleteFrom("dry_run_requests")
    .where("id", "=", id)
    .returning(["status", "worker_id"])
    .executeTakeFirst();
  return row ? { status: row.status, workerId: row.worker_id } : undefined;
}
