import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Deletes dry runs whose wait ended a minute ago or more: their API process died before it
 * deleted them, so nobody reads them. Rows a waiter still holds are skipped, never waited on.
 */
export async function pruneExpiredDryRunRequests(db: Db): Promise<number> {
  const result = await sql`
    DELETE FROM dry_run_requests
    WHERE id IN (
      SELECT id FROM dry_run_requests
      WHERE expires_at < now() - interval '1 minute'
      FOR UPDATE SKIP LOCKED
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
