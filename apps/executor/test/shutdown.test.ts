import type { Db } from "@vigil/db";
import { afterEach, expect } from "vitest";

import {
  dbTest,
  insertProject,
  insertRule,
  insertTriggers,
  waitFor,
} from "@vigil/db/testing";

import {
  killStartedExecutors,
  makeWorkDir,
  processesMentioning,
  runningDetectors,
  startExecutor,
  triggerStatuses,
  uploadRows,
} from "./helpers.js";

afterEach(killStartedExecutors);

const rule = (ms: number) =>
  `export async function detect() { await new Promise((r) => setTimeout(r, ${ms})); return []; }`;

async function projectWithRule(
  db: Parameters<typeof insertProject>[0],
  ms: number,
) {
  const project = await insertProject(db, {
    config: { data_source: { type: "manual" }, max_concurrency: 10 },
  });
  await insertRule(db, project.id, { ruleId: "wait", code: rule(ms) });
  await uploadRows(db, project.id, [{ id: 1 }]);
  return project;
}

/** An executor process with two detectors of one project running (each taking `detectorMs`). */
async function twoDetectorsRunning(
  db: Db,
  url: string,
  o: { detectorMs: number; graceSeconds: number },
) {
  const project = await projectWithRule(db, o.detectorMs);
  const workDir = await makeWorkDir();
  const executor = startExecutor(url, {
    WORK_DIR: workDir,
    EXECUTOR_CONCURRENCY: "2",
    EXECUTOR_SHUTDOWN_GRACE_SECONDS: String(o.graceSeconds),
  });
  await insertTriggers(db, project.id, 2, {
    fire_at: new Date(Date.now() - 100),
    concurrency_policy: "allow",
  });
  await waitFor(
    async () => (await runningDetectors(workDir, project.id)).length >= 2,
    {
      timeoutMs: 15_000,
      message: "detectors running",
    },
  );
  return { project, workDir, executor };
}

dbTest(
  "SIGTERM lets running detectors finish within the grace period, claims nothing new, and exits 0",
  async ({ db, testDatabase }) => {
    const { project, executor } = await twoDetectorsRunning(
      db,
      testDatabase.url,
      { detectorMs: 1500, graceSeconds: 10 },
    );
    executor.signal("SIGTERM");
    await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
      concurrency_policy: "allow",
    });
    expect((await executor.exited).code).toBe(0);
    expect(await triggerStatuses(db, project.id)).toEqual({
      succeeded: 2,
      pending: 1,
    });
    const worker = await db
      .selectFrom("workers")
      .selectAll()
      .where("id", "=", executor.workerId)
      .executeTakeFirstOrThrow();
    expect(worker.status).toBe("stopped");
  },
  30_000,
);

dbTest(
  "SIGTERM past the grace period kills the detectors, hands their triggers back without spending an attempt, and leaves no orphan",
  async ({ db, testDatabase }) => {
    const { project, workDir, executor } = await twoDetectorsRunning(
      db,
      testDatabase.url,
      { detectorMs: 30_000, graceSeconds: 1 },
    );
    executor.signal("SIGTERM");
    expect((await executor.exited).code).toBe(0);
    // neither its detectors nor its standbys
    expect(await processesMentioning(workDir)).toEqual([]);
    const triggers = await db
      .selectFrom("triggers")
      .selectAll()
      .where("project_id", "=", project.id)
      .execute();
    expect(triggers.map((t) => [t.status, t.attempt])).toEqual([
      ["pending", 0],
      ["pending", 0],
    ]);
    const executions = await db
      .selectFrom("executions")
      .select("status")
      .where("project_id", "=", project.id)
      .execute();
    expect(executions.map((e) => e.status)).toEqual(["cancelled", "cancelled"]);
  },
  30_000,
);
