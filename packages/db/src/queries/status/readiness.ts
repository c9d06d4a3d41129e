import { sql } from "kysely";

import { pendingMigrations } from "../../migrate.js";
import type { Db } from "../../pool.js";

/**
 * Why this process's database is not ready for it, or undefined when it is: unreachable,
 * or migrations on disk that are not applied yet (the code may need their schema).
 */
export async function databaseNotReady(
  db: Db,
  migrationsDir?: string,
): Promise<string | undefined> {
  try {
    await sql`select 1`.execute(db);
  } catch {
    return "the database is not reachable";
  }
  const pending = await pendingMigrations(db, migrationsDir);
  return pending.length > 0
    ? `${pending.length} migration(s) not applied yet: ${pending.join(", ")}`
    : undefined;
}
