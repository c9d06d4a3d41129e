import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  sql,
} from "kysely";

/** The repository's `migrations/` folder, found from this file in src/ or dist/. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(
  new URL("../../../migrations/", import.meta.url),
);

/**
 * Numbered plain SQL files (`0001_init.sql`, ...), forward only. Kysely's Migrator supplies the
 * migrations table, the lock that keeps two migrators from racing, the ordering check, and one
 * transaction per file.
 */
export class SqlFileMigrationProvider implements MigrationProvider {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.#dir))
      .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
      .sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await fs.readFile(path.join(this.#dir, file), "utf8");
      // No parameters: pg sends it with the simple protocol, so a file may hold many statements.
      migrations[file.replace(/\.sql$/, "")] = {
        up: async (db) => void (await sql.raw(text).execute(db)),
      };
    }
    return migrations;
  }
}

export interface MigrateResult {
  applied: string[];
  error?: Error;
}

function createMigrator(db: Kysely<unknown>, dir: string): Migrator {
  return new Migrator({
    db,
    provider: new SqlFileMigrationProvider(dir),
    migrationTableName: "vigil_migrations",
    migrationLockTableName: "vigil_migrations_lock",
    // Files are numbered by the issue that introduced them, so branches merge without
    // renumbering; a file that sorts before an applied one is still applied, exactly once.
    allowUnorderedMigrations: true,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before and outside the typed schema
type UntypedDb = Kysely<any>;

/** Applies every migration not yet applied. Running it again is a no-op. */
export async function migrateToLatest(
  db: UntypedDb,
  dir = DEFAULT_MIGRATIONS_DIR,
): Promise<MigrateResult> {
  const { results, error } = await createMigrator(db, dir).migrateToLatest();
  return summarize(results, error);
}

/** Names of migration files not yet applied (empty when the schema is current), for /ready. */
export async function pendingMigrations(
  db: UntypedDb,
  dir = DEFAULT_MIGRATIONS_DIR,
): Promise<string[]> {
  const all = await createMigrator(db, dir).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function summarize(
  results: MigrationResultSet["results"],
  error: unknown,
): MigrateResult {
  const applied = (results ?? [])
    .filter((r) => r.status === "Success")
    .map((r) => r.migrationName);
  const failed = (results ?? []).find((r) => r.status === "Error");
  if (error === undefined) {
    return { applied };
  }
  const cause =
    error instanceof Error
      ? error
      : new Error(typeof error === "string" ? error : JSON.stringify(error));
  return {
    applied,
    error: new Error(
      failed
        ? `migration ${failed.migrationName} failed: ${cause.message}`
        : cause.message,
      { cause },
    ),
  };
}
