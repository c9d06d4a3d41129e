import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { sql } from "kysely";
import { afterAll, afterEach, expect, test } from "vitest";

import { createDb, migrateToLatest } from "@vigil/db";
import {
  startEmbeddedPostgres,
  type RunningPostgres,
} from "@vigil/db/embedded";
import { insertProject, insertTriggers, waitFor } from "@vigil/db/testing";

import {
  killStartedExecutors,
  startExecutor,
  triggerStatuses,
} from "./helpers.js";

afterEach(killStartedExecutors);

let server: RunningPostgres | undefined;
let parent: string | undefined;
afterAll(async () => {
  await server?.stop().catch(() => undefined);
  if (parent) {
    await rm(parent, { recursive: true, force: true });
  }
});

const TRIGGERS = 60;

test("PostgreSQL restarted under a running pool: the executor survives, recovers, and every trigger still runs exactly once", async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), "vigil-exec-pg-"));
  await chmod(parent, 0o755);
  const options = {
    dataDir: path.join(parent, "data"),
    port: 0,
    persistent: true,
    settings: { fsync: "off" },
  };
  server = await startEmbeddedPostgres(options);
  const port = server.port;
  const handle = createDb({
    connectionString: server.url,
    max: 4,
    onIdleError: () => undefined,
  });
  handle.pool.on("connect", (client) => client.on("error", () => undefined));
  const { error } = await migrateToLatest(handle.db);
  expect(error).toBeUndefined();
  const db = handle.db;
  const project = await insertProject(db, {
    config: { data_source: { type: "manual" }, max_concurrency: 100 },
  });
  const executor = startExecutor(server.url, {
    EXECUTOR_RUNNER: "noop",
    EXECUTOR_NOOP_DELAY_MS: "150",
    EXECUTOR_CONCURRENCY: "4",
    LEASE_SECONDS: "10",
  });
  // spread over 4 s so that claims, runs and records are all in flight when the server goes away
  const start = Date.now();
  for (let i = 0; i < TRIGGERS; i++) {
    await insertTriggers(db, project.id, 1, {
      fire_at: new Date(start + (i * 4000) / TRIGGERS),
      concurrency_policy: "allow",
    });
  }
  await waitFor(
    async () => ((await triggerStatuses(db, project.id)).succeeded ?? 0) >= 10,
    { timeoutMs: 10_000 },
  );

  await server.stop();
  await new Promise((r) => setTimeout(r, 1500));
  server = await startEmbeddedPostgres({ ...options, port });

  await waitFor(
    async () => {
      const statuses: Record<string, number> = await triggerStatuses(
        db,
        project.id,
      ).catch(() => ({}));
      return statuses.succeeded === TRIGGERS;
    },
    {
      timeoutMs: 30_000,
      message: "every trigger succeeded after the restart",
    },
  ).catch(async (err: unknown) => {
    const statuses = await triggerStatuses(db, project.id).catch(() => ({}));
    throw new Error(
      `exit=${executor.child.exitCode}/${executor.child.signalCode} ${String(err)}; statuses ${JSON.stringify(statuses)}; executor log:\n${executor.logs.slice(-40).join("\n")}`,
    );
  });
  expect(executor.child.exitCode).toBeNull();
  const { rows } = await sql<{ trigger_id: number; successes: number }>`
      SELECT trigger_id, count(*) FILTER (WHERE status = 'success')::int AS successes
      FROM executions WHERE project_id = ${project.id} GROUP BY trigger_id`.execute(
    db,
  );
  expect(rows).toHaveLength(TRIGGERS);
  expect(rows.every((r) => r.successes === 1)).toBe(true);
  expect(
    executor.logs.some((l) =>
      /claim pass failed|lease extension failed|recording failed|connection lost/.test(
        l,
      ),
    ),
  ).toBe(true);
  executor.signal("SIGTERM");
  expect((await executor.exited).code).toBe(0);
  await handle.close();
}, 60_000);
