import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";

/**
 * Sets `alerted_at` of an open, not yet alerted episode, locking its row until the caller's
 * transaction (the one that queues the alert) ends. Returns false when the episode was alerted
 * or closed meanwhile: then queue nothing, so an episode never alerts twice.
 */
export async function markWatchdogEpisodeAlerted(
  trx: Transaction<Database>,
  episodeId: number,
): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    UPDATE watchdog_episodes SET alerted_at = now(), updated_at = now()
    WHERE id = ${episodeId} AND alerted_at IS NULL AND closed_at IS NULL
    RETURNING id`.execute(trx);
  return rows.length > 0;
}
