import path from "node:path";

import {
  startEmbeddedPostgres,
  type RunningPostgres,
} from "@vigil/db/embedded";
import pg from "pg";

/** The database `npm start` keeps Vigil's tables in, on the embedded server. */
export const EMBEDDED_DATABASE = "vigil";

export interface EmbeddedDatabase {
  server: RunningPostgres;
  url: string;
}

/** Boots (or re-opens) the embedded PostgreSQL in `<dataDir>/pgdata` and makes sure `vigil` exists. */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port: number;
  onLog: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const server = await startEmbeddedPostgres({
    dataDir: path.join(options.dataDir, "pgdata"),
    port: options.port,
    persistent: true,
    onLog: options.onLog,
  });
  const admin = new pg.Client({ connectionString: server.url });
  try {
    await admin.connect();
    const { rowCount } = await admin.query(
      "SELECT 1 FROM pg_database WHERE datname = $1",
      [EMBEDDED_DATABASE],
    );
    if (rowCount === 0) {
      await admin.query(
        `CREATE DATABASE ${pg.escapeIdentifier(EMBEDDED_DATABASE)}`,
      );
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
  return { server, url: server.urlFor(EMBEDDED_DATABASE) };
}
