import { createHash } from "node:crypto";
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
 * packages/db/sql/: the current body of every database function (and the triggers that call it),
 * one file each, found from this file in src/ or dist/. Migrations hold tables, indexes and data
 * changes; these files are the source of the functions, re-applied when they change.
 */
export const DEFAULT_SQL_DIR = fileURLToPath(
  new URL("../sql/", import.meta.url),
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
  /** Migration names, then `sql/<file>` for each function file (re)applied. */
  applied: string[];
  error?: Error;
}

/** Where the function files are; the repository's packages/db/sql by default. */
export interface SqlDirOption {
  sqlDir?: string;
}

interface SqlFile {
  /** `sql/<file name>`, as reported by migrateToLatest and pendingMigrations. */
  name: string;
  checksum: string;
  text: string;
}

/** The key of the transaction lock function files are applied under (advisory-lock.ts's int8 space). */
const SQL_FILES_LOCK = 73_030;

async function readSqlFiles(dir: string): Promise<SqlFile[]> {
  const files = (await fs.readdir(dir))
    .filter((f) => /^[a-z0-9_]+\.sql$/.test(f))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(path.join(dir, file), "utf8");
      return {
        name: `sql/${file}`,
        checksum: createHash("sha256").update(text).digest("hex"),
        text,
      };
    }),
  );
}

/** Per function file: the checksum in force (applied last) and every checksum ever applied. */
interface AppliedVersions {
  current: Map<string, string>;
  ever: Set<string>;
}

/** What vigil_sql_function_versions records; empty before the migrator first created it. */
async function appliedVersions(db: UntypedDb): Promise<AppliedVersions> {
  const { rows } = await sql<{ name: string; checksum: string }>`
    SELECT name, checksum FROM vigil_sql_function_versions ORDER BY applied_at`
    .execute(db)
    .catch((err: unknown) => {
      // 42P01: the table does not exist yet (a database no migrator has run on)
      if ((err as { code?: string }).code === "42P01") {
        return { rows: [] };
      }
      throw err;
    });
  return {
    current: new Map(rows.map((r) => [r.name, r.checksum])),
    ever: new Set(rows.map((r) => `${r.name} ${r.checksum}`)),
  };
}

/**
 * Applies every function file whose checksum differs from the one in force, in ONE transaction
 * under a transaction-level advisory lock: two migrators racing apply each change once (the
 * second finds the checksums already recorded), and a file that fails leaves every function as
 * it was. Runs after the migrations, so a file may use every table and column they made. Every
 * version applied stays recorded, so pendingMigrations can tell an older app's files (applied
 * before, since replaced) from files never applied.
 */
async function applySqlFiles(db: UntypedDb, dir: string): Promise<string[]> {
  const files = await readSqlFiles(dir);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${SQL_FILES_LOCK}::bigint)`.execute(
      trx,
    );
    await sql`
      CREATE TABLE IF NOT EXISTS vigil_sql_function_versions (
        name       text NOT NULL,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (name, checksum)
      )`.execute(trx);
    const { current } = await appliedVersions(trx);
    const applied: string[] = [];
    for (const f of files) {
      if (current.get(f.name) === f.checksum) {
        continue;
      }
      try {
        // No parameters: the simple protocol, so a file may hold many statements.
        await sql.raw(f.text).execute(trx);
      } catch (err) {
        throw new Error(
          `${f.name} failed: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      await sql`
        INSERT INTO vigil_sql_function_versions (name, checksum) VALUES (${f.name}, ${f.checksum})
        ON CONFLICT (name, checksum) DO UPDATE SET applied_at = clock_timestamp()`.execute(
        trx,
      );
      applied.push(f.name);
    }
    return applied;
  });
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

/**
 * Applies every migration not yet applied, then every function file of packages/db/sql/ that
 * changed since it was last applied. Running it again is a no-op.
 */
export async function migrateToLatest(
  db: UntypedDb,
  dir = DEFAULT_MIGRATIONS_DIR,
  { sqlDir = DEFAULT_SQL_DIR }: SqlDirOption = {},
): Promise<MigrateResult> {
  const { results, error } = await createMigrator(db, dir).migrateToLatest();
  const migrated = summarize(results, error);
  if (migrated.error) {
    return migrated;
  }
  try {
    const functions = await applySqlFiles(db, sqlDir);
    return { applied: [...migrated.applied, ...functions] };
  } catch (err) {
    const cause = err instanceof Error ? err : new Error(String(err));
    return { applied: migrated.applied, error: cause };
  }
}

/**
 * What this code needs that the database lacks (empty when the schema is current), for /ready
 * and `vigil migrate --check`: migration files not yet applied, and `sql/<file>` for each
 * function file whose version was never applied. A version applied before and since replaced is
 * not pending: that is an older app during a rolling upgrade, running on the newer functions as
 * it runs on the newer tables.
 */
export async function pendingMigrations(
  db: UntypedDb,
  dir = DEFAULT_MIGRATIONS_DIR,
  { sqlDir = DEFAULT_SQL_DIR }: SqlDirOption = {},
): Promise<string[]> {
  const all = await createMigrator(db, dir).getMigrations();
  const migrations = all
    .filter((m) => m.executedAt === undefined)
    .map((m) => m.name);
  const { ever } = await appliedVersions(db);
  const stale = (await readSqlFiles(sqlDir))
    .filter((f) => !ever.has(`${f.name} ${f.checksum}`))
    .map((f) => f.name);
  return [...migrations, ...stale];
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
