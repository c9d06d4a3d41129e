import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * The database clock. The trigger-creator plans a whole pass against this one instant, so
 * every replica and the executors' "due" checks (`fire_at <= now()`) share one clock.
 */
export async function readDatabaseTime(db: Db): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db);
  const now = rows[0]?.now;
  if (!(now instanceof Date)) {
    throw new Error("select now() returned no timestamp");
  }
  return now;
}
