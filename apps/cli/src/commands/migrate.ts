import { createDb, migrateToLatest } from "@vigil/db";

import type { CliContext } from "../context.js";

/** `vigil migrate`: applies pending migrations; running it again changes nothing. */
export async function migrateCommand(ctx: CliContext): Promise<number> {
  const handle = createDb({
    connectionString: ctx.databaseUrl(),
    max: 1,
    applicationName: "vigil-cli",
  });
  try {
    const { applied, error } = await migrateToLatest(handle.db);
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
  } finally {
    await handle.close();
  }
}
