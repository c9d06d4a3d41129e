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

const config = (maxConcurrency: number) => ({
  data_source: { type: "manual" },
  max_concurrency: maxConcurrency,
});
const ago = (ms: number) => new Date(Date.now() - ms);

dbTest(
  "replace cancels the running trigger, whose executor sees the lost lease, stops it and writes nothing",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, { config: config(1) });
    const executor = startExecutor(testDatabase.url, {
      EXECUTOR_RUNNER: "noop",
      EXECUTOR_NOOP_DELAY_MS: "2500",
    });
    const [old] = await insertTriggers(db, project.id, 1, {
      fire_at: ago(100),
      concurrency_policy: "replace",
    });
    await waitFor(() =>
      db
        .selectFrom("triggers")
        .select("id")
        .where("id", "=", old!.id)
        .where("status", "=", "running")
        .executeTakeFirst(),
    );
    const [next] = await insertTriggers(db, project.id, 1, {
      fire_at: ago(50),
      concurrency_policy: "replace",
    });
    await waitFor(
      () =>
        db
          .selectFrom("triggers")
          .select("id")
          .where("id", "=", next!.id)
          .where("status", "=", "succeeded")
          .executeTakeFirst(),
      { timeoutMs: 15_000 },
    );
    await waitFor(
      () =>
        executor.logs.some(
          (l) =>
            l.includes("lease lost") && l.includes(`"triggerId":${old!.id}`),
        ),
      { message: "old run stopped" },
    );
    const oldRow = await db
      .selectFrom("triggers")
      .selectAll()
      .where("id", "=", old!.id)
      .executeTakeFirstOrThrow();
    expect(oldRow).toMatchObject({
      status: "cancelled",
      last_error: `replaced by trigger ${next!.id}`,
    });
    const oldExecution = await db
      .selectFrom("executions")
      .selectAll()
      .where("trigger_id", "=", old!.id)
      .executeTakeFirstOrThrow();
    expect(oldExecution.status).toBe("cancelled");
  },
  30_000,
);

dbTest(
  "forbid skips a trigger that comes due while the project runs, and says why",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, { config: config(5) });
    startExecutor(testDatabase.url, {
      EXECUTOR_RUNNER: "noop",
      EXECUTOR_NOOP_DELAY_MS: "1500",
    });
    const [first] = await insertTriggers(db, project.id, 1, {
      fire_at: ago(100),
      concurrency_policy: "forbid",
    });
    await waitFor(() =>
      db
        .selectFrom("triggers")
        .select("id")
        .where("id", "=", first!.id)
        .where("status", "=", "running")
        .executeTakeFirst(),
    );
    const [overlap] = await insertTriggers(db, project.id, 1, {
      fire_at: ago(50),
      concurrency_policy: "forbid",
    });
    const skipped = await waitFor(() =>
      db
        .selectFrom("triggers")
        .selectAll()
        .where("id", "=", overlap!.id)
        .where("status", "=", "skipped")
        .executeTakeFirst(),
    );
    expect(skipped.last_error).toContain("forbid");
    await waitFor(
      async () => (await triggerStatuses(db, project.id)).succeeded === 1,
      { timeoutMs: 10_000 },
    );
  },
  30_000,
);

dbTest(
  "allow runs overlapping triggers, and the per-project limit caps them across two executors",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, { config: config(2) });
    for (let i = 0; i < 2; i++) {
      startExecutor(testDatabase.url, {
        EXECUTOR_RUNNER: "noop",
        EXECUTOR_NOOP_DELAY_MS: "400",
        EXECUTOR_CONCURRENCY: "4",
      });
    }
    await insertTriggers(db, project.id, 8, {
      fire_at: ago(100),
      concurrency_policy: "allow",
    });
    await waitFor(
      async () => (await triggerStatuses(db, project.id)).succeeded === 8,
      { timeoutMs: 20_000 },
    );
    // the most executions of the project whose [started_at, finished_at) intervals overlap at one instant
    const { rows } = await sql<{ peak: number }>`
      SELECT max(running)::int AS peak FROM (
        SELECT sum(delta) OVER (ORDER BY at, delta) AS running FROM (
          SELECT started_at AS at, 1 AS delta FROM executions WHERE project_id = ${project.id}
          UNION ALL SELECT finished_at, -1 FROM executions WHERE project_id = ${project.id}) events) timeline`.execute(
      db,
    );
    expect(rows[0]?.peak).toBe(2);
  },
  30_000,
);
