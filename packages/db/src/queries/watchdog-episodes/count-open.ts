import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { WatchdogReason } from "../../tables/watchdog-episodes.js";

/** Open episodes by reason (the gauge read at scrape time). */
export async function countOpenWatchdogEpisodes(
  db: Db,
): Promise<Array<{ reason: WatchdogReason; count: number }>> {
  const { rows } = await sql<{ reason: WatchdogReason; count: number }>`
    SELECT reason, count(*)::int AS count FROM watchdog_episodes
    WHERE closed_at IS NULL GROUP BY reason ORDER BY reason`.execute(db);
  return rows;
}
