import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Deletes up to `limit` `workers` rows that are dead or stopped and have been for
 * `olderThanSeconds` (by `stopped_at`, else the last heartbeat). Running and stopping rows
 * are never touched; a worker that was only presumed dead re-registers on its next
 * heartbeat. Locks: FOR UPDATE SKIP LOCKED, so a row being revived is skipped.
 */
export async function pruneDeadWorkers(
  db: Db,
  { olderThanSeconds, limit }: { olderThanSeconds: number; limit: number },
): Promise<number> {
  const result = await db
    .deleteFrom("workers")
    .where("id", "in", (eb) =>
      eb
        .selectFrom("workers")
        .select("id")
        .where("status", "in", ["dead", "stopped"])
        .where(
          sql<Date>`coalesce(stopped_at, last_heartbeat_at)`,
          "<",
          sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`,
        )
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
