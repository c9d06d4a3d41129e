import { migrateToLatest, pendingMigrations } from "@vigil/db";

import type { CliContext } from "../context.js";
import { withDb } from "../with-db.js";

export interface MigrateOptions {
  /** Change nothing: exit 1 while migrations are pending (init containers wait on it). */
  check?: boolean;
}

/** `vigil migrate`: applies pending migrations; running it again changes nothing. */
export async function migrateCommand(
  ctx: CliContext,
  options: MigrateOptions = {},
): Promise<number> {
  return withDb(ctx.databaseUrl(), async (db) => {
    if (options.check) {
      const pending = await pendingMigrations(db);
      if (pending.length > 0) {
        ctx.err(
          `${pending.length} migration(s) pending: ${pending.join(", ")}`,
        );
        return 1;
      }
      ctx.out("schema is up to date");
      return 0;
    }
    const { applied, error } = await migrateToLatest(db);
    if (error) {
      ctx.err(`migration failed: ${error.message}`);
      return 1;
    }
    ctx.out(
      applied.length === 0
        ? "schema is up to date"
        : `applied ${applied.length} migration(s): ${applied.join(", ")}`,
    );
    return 0;
  });
}
