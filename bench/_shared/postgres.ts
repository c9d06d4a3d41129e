import { useOrStartPostgres } from "@vigil/db/embedded";
import pg from "pg";

export interface BenchPostgres {
  adminUrl: string;
  urlFor: (database: string) => string;
  stop: () => Promise<void>;
}

/**
 * DATABASE_URL's server when set, else an embedded PostgreSQL with its default settings
 * (fsync and synchronous_commit on): benchmarks measure against a durable server.
 */
export async function startBenchPostgres(
  log: (line: string) => void,
  label: string,
): Promise<BenchPostgres> {
  const server = await useOrStartPostgres({
    databaseUrl: process.env.DATABASE_URL,
    label: `bench-${label}`,
    settings: { max_wal_size: "4GB" },
  });
  log(
    server.embedded
      ? `embedded PostgreSQL at ${new URL(server.url).host}`
      : "using DATABASE_URL's server",
  );
  return { adminUrl: server.url, urlFor: server.urlFor, stop: server.stop };
}

export async function withClient<T>(
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
