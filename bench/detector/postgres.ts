import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { migrateToLatest } from "@vigil/db";
import { startEmbeddedPostgres } from "@vigil/db/embedded";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";

export interface BenchDatabase {
  /** A fresh, migrated database of this run. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A fresh migrated database on DATABASE_URL's server when set, else on an embedded PostgreSQL
 * with its default (durable) settings: the recorded result is measured as production commits it.
 */
export async function startBenchDatabase(
  log: (line: string) => void,
): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  let adminUrl: string;
  let stopServer = (): Promise<void> => Promise.resolve();
  if (external) {
    log("using DATABASE_URL's server");
    adminUrl = external;
  } else {
    const parent = await mkdtemp(
      path.join(os.tmpdir(), "vigil-bench-detector-pg-"),
    );
    // as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder
    await chmod(parent, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(parent, "data"),
      port: 0,
      persistent: false,
    });
    log(`embedded PostgreSQL on port ${server.port}`);
    adminUrl = server.url;
    stopServer = async () => {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    };
  }
  const name = `vigil_bench_detector_${process.pid}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: url, max: 1 }),
    }),
  });
  const migrated = await migrateToLatest(db);
  await db.destroy();
  if (migrated.error) {
    throw migrated.error;
  }
  return {
    url,
    stop: async () => {
      await withClient(adminUrl, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).catch(() => undefined);
      await stopServer();
    },
  };
}

async function withClient<T>(
  url: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
