import { afterEach, expect } from "vitest";

import { finishTrigger } from "@vigil/db";
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
  uploadRows,
} from "./helpers.js";

afterEach(killStartedExecutors);

const SLOW_RULE = `export async function detect(rows) {
  await new Promise((resolve) => setTimeout(resolve, 2500));
  return [];
}`;

dbTest(
  "after kill -9 mid-run, each trigger is rescued after its lease and succeeds on another replica; the dead run's late write is rejected",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, {
      config: {
        data_source: { type: "manual" },
        max_concurrency: 10,
        max_attempts: 2,
      },
    });
    await insertRule(db, project.id, { ruleId: "slow", code: SLOW_RULE });
    await uploadRows(db, project.id, [{ id: 1 }]);
    const workDir = await makeWorkDir();
    const doomed = startExecutor(testDatabase.url, {
      WORK_DIR: workDir,
      EXECUTOR_CONCURRENCY: "2",
    });
    const triggers = await insertTriggers(db, project.id, 2, {
      fire_at: new Date(Date.now() - 100),
      concurrency_policy: "allow",
    });

    // both detectors of the doomed executor are running
    await waitFor(
      async () => (await runningDetectors(workDir, project.id)).length >= 2,
      { timeoutMs: 15_000, message: "detectors running" },
    );
    const claims = await db
      .selectFrom("triggers")
      .select(["id", "attempt", "claimed_by"])
      .where("project_id", "=", project.id)
      .execute();
    expect(claims.every((c) => c.claimed_by === doomed.workerId)).toBe(true);
    doomed.signal("SIGKILL");
    await doomed.exited;
    // a detector (or a standby) never outlives its executor (parent-death signal)
    await waitFor(
      async () => (await processesMentioning(workDir)).length === 0,
      { timeoutMs: 5_000, message: "orphans gone" },
    );

    const rescuer = startExecutor(testDatabase.url, { WORK_DIR: workDir });
    await waitFor(
      async () =>
        (
          await db
            .selectFrom("triggers")
            .select("id")
            .where("project_id", "=", project.id)
            .where("status", "=", "succeeded")
            .execute()
        ).length === 2,
      { timeoutMs: 25_000, message: "both triggers succeeded on the rescuer" },
    );
    for (const t of triggers) {
      const executions = await db
        .selectFrom("executions")
        .selectAll()
        .where("trigger_id", "=", t.id)
        .orderBy("id")
        .execute();
      expect(executions.map((e) => [e.worker_id, e.status])).toEqual([
        [doomed.workerId, "failed"],
        [rescuer.workerId, "success"],
      ]);
      expect(executions[0]!.error_message).toContain("lease expired");
      // the dead run's write, arriving late, changes nothing
      const late = await db.transaction().execute((trx) =>
        finishTrigger(trx, {
          triggerId: t.id,
          workerId: doomed.workerId,
          attempt: 1,
          status: "failed",
        }),
      );
      expect(late).toBe(false);
    }
  },
  45_000,
);
