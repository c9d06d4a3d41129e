import { sql } from "kysely";

import type { Db } from "../../pool.js";

/** Marks workers whose heartbeat is older than `staleSeconds` as dead; returns how many. */
export async function markDeadWorkers(
  db: Db,
  { staleSeconds }: { staleSeconds: number },
): Promise<number> {
  const result = await db
    .updateTable("workers")
    .set({ status: "dead", stopped_at: sql<Date>`now()` })
    .where("status", "in", ["running", "stopping"])
    .where(
      "last_heartbeat_at",
      "<",
      sql<Date>`now() - make_interval(secs => ${staleSeconds})`,
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
