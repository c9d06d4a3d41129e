import { migrateToLatest } from "@vigil/db";
import { useOrStartPostgres } from "@vigil/db/embedded";
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
  const server = await useOrStartPostgres({
    databaseUrl: process.env.DATABASE_URL,
    label: "bench-detector",
  });
  log(
    server.embedded
      ? `embedded PostgreSQL at ${new URL(server.url).host}`
      : "using DATABASE_URL's server",
  );
  const adminUrl = server.url;
  const stopServer = server.stop;
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
