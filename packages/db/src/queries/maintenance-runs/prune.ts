import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Deletes up to `limit` maintenance_runs rows older than `olderThanDays` by started_at; the
 * newest row always stays, so /status can show the last pass however old it is.
 * Locks: FOR UPDATE SKIP LOCKED; a pass still writing its own row is skipped.
 */
export async function pruneMaintenanceRuns(
  db: Db,
  { olderThanDays, limit }: { olderThanDays: number; limit: number },
): Promise<number> {
  const result = await db
    .deleteFrom("maintenance_runs")
    .where("id", "in", (eb) =>
      eb
        .selectFrom("maintenance_runs")
        .select("id")
        .where(
          "started_at",
          "<",
          sql<Date>`now() - make_interval(days => ${olderThanDays})`,
        )
        .where("id", "<", (sub) =>
          sub
            .selectFrom("maintenance_runs")
            .select((m) => m.fn.max("id").as("newest")),
        )
        .orderBy("started_at")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
