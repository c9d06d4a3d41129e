import { sql } from "kysely";
import { afterEach, expect } from "vitest";

import {
  dbTest,
  insertProject,
  insertTriggers,
  waitFor,
} from "@vigil/db/testing";

import {
  killStartedExecutors,
  startExecutor,
  triggerStatuses,
} from "./helpers.js";

afterEach(killStartedExecutors);

const TRIGGERS = 5_000;

dbTest(
  "four executor processes racing over many due triggers run each exactly once, never twice at once",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_concurrency: 1000 },
    });
    const executors = Array.from({ length: 4 }, () =>
      startExecutor(testDatabase.url, {
        EXECUTOR_RUNNER: "noop",
        EXECUTOR_NOOP_DELAY_MS: "2",
        EXECUTOR_CONCURRENCY: "8",
      }),
    );
    await insertTriggers(db, project.id, TRIGGERS, {
      fire_at: new Date(Date.now() - 1000),
      concurrency_policy: "allow",
    });
    await waitFor(
      async () =>
        (await triggerStatuses(db, project.id)).succeeded === TRIGGERS,
      { timeoutMs: 60_000, message: "all triggers succeeded" },
    );

    const { rows } = await sql<{
      trigger_id: number;
      successes: number;
      total: number;
    }>`
      SELECT trigger_id, count(*) FILTER (WHERE status = 'success')::int AS successes, count(*)::int AS total
      FROM executions WHERE project_id = ${project.id} GROUP BY trigger_id`.execute(
      db,
    );
    expect(rows).toHaveLength(TRIGGERS);
    expect(rows.every((r) => r.successes === 1 && r.total === 1)).toBe(true);
    // every replica took part
    const workers = await db
      .selectFrom("executions")
      .select("worker_id")
      .distinct()
      .where("project_id", "=", project.id)
      .execute();
    expect(workers.length).toBe(4);
    for (const e of executors) {
      e.signal("SIGTERM");
    }
    const exits = await Promise.all(executors.map((e) => e.exited));
    expect(exits.map((x) => x.code)).toEqual([0, 0, 0, 0]);
  },
  90_000,
);

dbTest(
  "a trigger due at T on an idle pool starts within tens of milliseconds of T",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_concurrency: 10 },
    });
    const executor = startExecutor(testDatabase.url, {
      EXECUTOR_RUNNER: "noop",
      POLL_INTERVAL_MS: "10000",
    });
    await waitFor(
      () => executor.logs.some((l) => l.includes("executor started")),
      { message: "executor started" },
    );
    await new Promise((r) => setTimeout(r, 300));
    const fireAts = [1200, 1700, 2200].map((ms) => new Date(Date.now() + ms));
    for (const fireAt of fireAts) {
      await insertTriggers(db, project.id, 1, {
        fire_at: fireAt,
        concurrency_policy: "allow",
      });
    }
    await waitFor(
      async () => (await triggerStatuses(db, project.id)).succeeded === 3,
      { timeoutMs: 10_000 },
    );
    const { rows } = await sql<{ lag_ms: number }>`
      SELECT extract(epoch FROM e.started_at - t.fire_at) * 1000 AS lag_ms
      FROM executions e JOIN triggers t ON t.id = e.trigger_id WHERE e.project_id = ${project.id}`.execute(
      db,
    );
    for (const r of rows) {
      expect(Number(r.lag_ms)).toBeGreaterThanOrEqual(0);
      expect(Number(r.lag_ms)).toBeLessThan(100);
    }
  },
  30_000,
);
