import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Wakes the trigger-creators to top up backfills now rather than at their next poll. Sent in
 * the creating transaction, so it arrives after the backfill is visible. The payload is not
 * 'refresh': no full schedule pass is asked for.
 */
export async function notifyBackfillCreated(db: Db): Promise<void> {
  await sql`select pg_notify('vigil_schedules', 'backfill')`.execute(db);
}
