import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { startEmbeddedPostgres } from "@vigil/db/embedded";
import pg from "pg";

export interface BenchPostgres {
  /** A new, empty database on the server for one scenario. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** DATABASE_URL's server when set, else an embedded PostgreSQL (same settings for Vigil and graphile-worker). */
export async function startBenchPostgres(
  log: (line: string) => void,
): Promise<BenchPostgres> {
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => undefined;
  if (adminUrl) {
    log("using DATABASE_URL's server");
  } else {
    const parent = await mkdtemp(
      path.join(os.tmpdir(), "vigil-bench-executor-"),
    );
    // as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder
    await chmod(parent, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(parent, "data"),
      port: 0,
      persistent: false,
      settings: { max_wal_size: "4GB" },
    });
    log(`embedded PostgreSQL on port ${server.port}`);
    adminUrl = server.url;
    stopServer = async () => {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    };
  }
  const admin = adminUrl;
  return {
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(
        `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`,
      );
      await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      await c.end();
      const u = new URL(admin);
      u.pathname = `/${name}`;
      return u.toString();
    },
    stop: stopServer,
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const i = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[i] ?? Number.NaN;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
