import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Deletes up to `limit` closed watchdog episodes that closed over `olderThanDays` ago. Open
 * episodes are never touched. Locks: FOR UPDATE SKIP LOCKED, so an episode the watchdog is
 * writing is left for the next pass.
 */
export async function pruneClosedWatchdogEpisodes(
  db: Db,
  { olderThanDays, limit }: { olderThanDays: number; limit: number },
): Promise<number> {
  const result = await db
    .deleteFrom("watchdog_episodes")
    .where("id", "in", (eb) =>
      eb
        .selectFrom("watchdog_episodes")
        .select("id")
        .where(
          "closed_at",
          "<",
          sql<Date>`now() - make_interval(days => ${olderThanDays})`,
        )
        .orderBy("id")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
