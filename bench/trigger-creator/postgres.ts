import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { startEmbeddedPostgres } from "@vigil/db/embedded";
import pg from "pg";

export interface BenchPostgres {
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL's server when set, else an embedded PostgreSQL with its default settings
 * (fsync and synchronous_commit on): materialization is measured against a durable server.
 */
export async function startBenchPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  const external = process.env.DATABASE_URL;
  if (external) {
    log("using DATABASE_URL's server");
    return {
      adminUrl: external,
      urlFor: (database) => {
        const u = new URL(external);
        u.pathname = `/${database}`;
        return u.toString();
      },
      stop: async () => undefined,
    };
  }
  const parent = await mkdtemp(path.join(os.tmpdir(), "vigil-bench-trigger-creator-"));
  // as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder
  await chmod(parent, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(parent, "data"), port: 0, persistent: false, settings: { max_wal_size: "4GB" } });
  log(`embedded PostgreSQL on port ${server.port}`);
  return {
    adminUrl: server.url,
    urlFor: (database) => server.urlFor(database),
    stop: async () => {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
