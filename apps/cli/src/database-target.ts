import { readFileSync } from "node:fs";
import path from "node:path";

import { embeddedPostgresUrl } from "@vigil/db/embedded";

import { EMBEDDED_DATABASE } from "./embedded-database.js";
import type { CliConfig } from "./config.js";

export class UsageError extends Error {}

/**
 * The database a one-shot command talks to: DATABASE_URL, or else the embedded PostgreSQL
 * that a running `npm start` keeps in VIGIL_DATA_DIR (its port read from postmaster.pid).
 */
export function resolveDatabaseUrl(config: CliConfig): string {
  if (config.DATABASE_URL) {
    return config.DATABASE_URL;
  }
  const pidFile = path.join(config.VIGIL_DATA_DIR, "pgdata", "postmaster.pid");
  let port: number | undefined;
  try {
    // postmaster.pid: line 1 pid, line 4 port
    port = Number(readFileSync(pidFile, "utf8").split("\n")[3]);
  } catch {
    port = undefined;
  }
  if (!port) {
    throw new UsageError(
      "DATABASE_URL is not set and no embedded PostgreSQL is running (start one with `npm start`)",
    );
  }
  return embeddedPostgresUrl(port, EMBEDDED_DATABASE);
}
