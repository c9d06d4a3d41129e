import type { Db } from "../../pool.js";

/** The running backfills, oldest first (backfills_running_idx). */
export async function listRunningBackfillIds(
  db: Db,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom("backfills")
    .select("id")
    .where("status", "=", "running")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
