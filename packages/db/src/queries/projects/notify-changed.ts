import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Wakes the trigger-creators to re-read every schedule (POST /projects/refresh). A hint
 * only: they poll anyway, so a lost notification delays the refresh, never loses it.
 */
export async function notifySchedulesChanged(db: Db): Promise<void> {
  await sql`select pg_notify('vigil_schedules', 'refresh')`.execute(db);
}
