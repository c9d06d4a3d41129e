import type { Db } from "../../pool.js";
import type { MaintenanceRunRow } from "../../tables/maintenance-runs.js";

/**
 * The most recent finished cleaner pass (counts per table in `pruned`, `duration_ms`,
 * `error` when it failed part-way), for the API's /status and /metrics; undefined before
 * the first pass. A pass still in progress is not returned.
 */
export async function getLastMaintenanceRun(
  db: Db,
): Promise<MaintenanceRunRow | undefined> {
  return db
    .selectFrom("maintenance_runs")
    .selectAll()
    .where("finished_at", "is not", null)
    .orderBy("started_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}
