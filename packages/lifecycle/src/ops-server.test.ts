import { copyFile, mkdtemp, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { createDb, databaseNotReady, DEFAULT_MIGRATIONS_DIR } from "@vigil/db";
import { dbTest } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";
import { describe, expect } from "vitest";

import { startOpsServer, type ReadinessCheck } from "./ops-server.js";

const logger = createLogger({ level: "silent", name: "ops-test" });

async function withServer(
  readiness: Record<string, ReadinessCheck>,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const ops = await startOpsServer({
    host: "127.0.0.1",
    port: 0,
    logger,
    version: "0.0.0-test",
    readiness,
    metrics: () =>
      Promise.resolve(
        "# HELP x_total a counter\n# TYPE x_total counter\nx_total 3\n",
      ),
  });
  try {
    await fn(ops.url);
  } finally {
    await ops.close();
  }
}

describe("startOpsServer", () => {
  dbTest(
    "answers /health, /ready and /metrics on its own port",
    async ({ db }) => {
      let loopsRunning = true;
      await withServer(
        {
          database: () => databaseNotReady(db),
          loops: () => (loopsRunning ? undefined : "the loop has ended"),
        },
        async (url) => {
          const health = await fetch(`${url}/health`);
          expect(health.status).toBe(200);
          expect(await health.json()).toMatchObject({ status: "healthy" });
          const ready = await fetch(`${url}/ready`);
          expect(ready.status).toBe(200);
          expect(await ready.json()).toEqual({
            status: "ready",
            checks: { database: "ok", loops: "ok" },
          });
          const metrics = await fetch(`${url}/metrics`);
          expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
          expect(await metrics.text()).toContain("x_total 3");
          expect((await fetch(`${url}/nope`)).status).toBe(404);

          loopsRunning = false;
          const stopped = await fetch(`${url}/ready`);
          expect(stopped.status).toBe(503);
          expect(await stopped.json()).toMatchObject({
            status: "not_ready",
            reason: "loops: the loop has ended",
          });
        },
      );
    },
  );

  dbTest(
    "/ready is 503 while a migration on disk is not applied",
    async ({ db }) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-migrations-"));
      for (const f of await readdir(DEFAULT_MIGRATIONS_DIR)) {
        await copyFile(path.join(DEFAULT_MIGRATIONS_DIR, f), path.join(dir, f));
      }
      await writeFile(path.join(dir, "9999_not_yet.sql"), "SELECT 1;\n");
      await withServer(
        { database: () => databaseNotReady(db, dir) },
        async (url) => {
          const res = await fetch(`${url}/ready`);
          expect(res.status).toBe(503);
          const body = (await res.json()) as { reason: string };
          expect(body.reason).toContain("9999_not_yet");
          expect(body.reason).toMatch(
            /^database: 1 migration\(s\) not applied yet/,
          );
        },
      );
    },
  );

  dbTest(
    "/ready is 503 when the database is unreachable",
    async ({ testDatabase }) => {
      // the same database on a port nothing listens on: a refused connection
      const u = new URL(testDatabase.url);
      u.port = "1";
      const handle = createDb({
        connectionString: u.toString(),
        max: 1,
        onIdleError: () => undefined,
      });
      try {
        await withServer(
          { database: () => databaseNotReady(handle.db) },
          async (url) => {
            const res = await fetch(`${url}/ready`);
            expect(res.status).toBe(503);
            expect(await res.json()).toMatchObject({
              reason: "database: the database is not reachable",
              checks: { database: "the database is not reachable" },
            });
            // liveness does not depend on the database
            expect((await fetch(`${url}/health`)).status).toBe(200);
          },
        );
      } finally {
        await handle.close();
      }
    },
  );
});
