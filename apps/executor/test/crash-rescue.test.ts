import { sql } from "kysely";
import { afterEach, expect } from "vitest";

import {
  WORKER_LOCK_SETTLE_MS,
  type ClaimedTrigger,
  type Db,
  type ExecutionRow,
} from "@vigil/db";
import {
  dbTest,
  insertProject,
  insertRule,
  insertTriggers,
  waitFor,
} from "@vigil/db/testing";

import { recordOutcome } from "../src/record-outcome.js";
import {
  killStartedExecutors,
  makeWorkDir,
  processesMentioning,
  runningDetectors,
  startExecutor,
  uploadRows,
  type ExecutorProcess,
} from "./helpers.js";

afterEach(killStartedExecutors);

/** Sleeps as long as the uploaded rows say: long while a worker is to be killed, short after. */
const SLEEPY_RULE = `export async function detect(rows) {
  await new Promise((resolve) => setTimeout(resolve, rows[0].sleepMs));
  return [];
}`;
const LONG_RUN = [{ sleepMs: 30_000 }];
const SHORT_RUN = [{ sleepMs: 100 }];

/**
 * A lease far longer than any wait below: a run that starts again within it was rescued by its
 * worker's freed lock, not by the lease.
 */
const LONG_LEASE = { LEASE_SECONDS: "120" };

async function executionsOf(db: Db, triggerId: number) {
  return db
    .selectFrom("executions")
    .selectAll()
    .where("trigger_id", "=", triggerId)
    .orderBy("id")
    .execute();
}

/** The dead run's record, arriving late through the executor's own record path. */
async function lateRecord(
  db: Db,
  worker: ExecutorProcess,
  lost: ExecutionRow,
): Promise<boolean> {
  const trigger = await db
    .selectFrom("triggers")
    .selectAll()
    .where("id", "=", lost.trigger_id)
    .executeTakeFirstOrThrow();
  const claim: ClaimedTrigger = {
    triggerId: trigger.id,
    executionId: lost.id,
    projectId: trigger.project_id,
    scheduleId: trigger.schedule_id,
    source: trigger.source,
    fireAt: new Date(trigger.fire_at),
    attempt: lost.attempt,
    maxAttempts: trigger.max_attempts,
    windowStart: null,
    windowEnd: null,
    startedAt: new Date(lost.started_at ?? Date.now()),
  };
  const { recorded } = await recordOutcome({
    db,
    claim,
    workerId: worker.workerId,
    outcome: { kind: "succeeded", findings: [], rules: [], details: {} },
    retryDelayMs: 0,
  });
  return recorded;
}

/** Starts an executor and waits until it has held its worker lock long enough to judge others. */
async function settledExecutor(
  url: string,
  env: Record<string, string>,
): Promise<ExecutorProcess> {
  const executor = startExecutor(url, env);
  await waitFor(
    () => executor.logs.some((l) => l.includes('"executor started"')),
    { timeoutMs: 15_000, message: "executor started" },
  );
  await new Promise((r) => setTimeout(r, WORKER_LOCK_SETTLE_MS + 200));
  return executor;
}

/**
 * A project of two long runs, both running on one executor (`EXECUTOR_CONCURRENCY` 2), and a
 * second executor, settled, that the project's limit (2) keeps from taking anything yet.
 */
async function twoRunsOnOneExecutor(
  db: Db,
  url: string,
  config: Record<string, unknown> = {},
) {
  const project = await insertProject(db, {
    config: { data_source: { type: "manual" }, max_concurrency: 2, ...config },
  });
  await insertRule(db, project.id, { ruleId: "slow", code: SLEEPY_RULE });
  await uploadRows(db, project.id, LONG_RUN);
  const workDir = await makeWorkDir();
  const busy = startExecutor(url, {
    WORK_DIR: workDir,
    EXECUTOR_CONCURRENCY: "2",
    ...LONG_LEASE,
  });
  const triggers = await insertTriggers(db, project.id, 2, {
    fire_at: new Date(Date.now() - 100),
    concurrency_policy: "allow",
  });
  await waitFor(
    async () => (await runningDetectors(workDir, project.id)).length >= 2,
    { timeoutMs: 15_000, message: "both detectors running on one executor" },
  );
  const other = await settledExecutor(url, {
    WORK_DIR: workDir,
    ...LONG_LEASE,
  });
  return { project, workDir, busy, other, triggers };
}

async function waitForSucceeded(db: Db, projectId: string, n: number) {
  await waitFor(
    async () =>
      (
        await db
          .selectFrom("triggers")
          .select("id")
          .where("project_id", "=", projectId)
          .where("status", "=", "succeeded")
          .execute()
      ).length === n,
    { timeoutMs: 20_000, message: `${n} triggers succeeded` },
  );
}

dbTest(
  "kill -9 with max_attempts 1: each run starts again on another replica at once (its lock freed, long before the lease), spends no attempt, and succeeds once; the lost execution says why and the dead run's late record changes nothing",
  async ({ db, testDatabase }) => {
    const {
      project,
      workDir,
      busy: doomed,
      other: survivor,
      triggers,
    } = await twoRunsOnOneExecutor(db, testDatabase.url, {
      report: { mode: "always", url_env: "VIGIL_SECRET_REPORT_URL" },
    });
    await uploadRows(db, project.id, SHORT_RUN);
    const doomedDetectors = await runningDetectors(workDir, project.id);
    expect(doomedDetectors.length).toBeGreaterThanOrEqual(2);
    const killedAt = Date.now();
    doomed.signal("SIGKILL");
    await doomed.exited;
    // detectors never outlive their executor (parent-death signal)
    await waitFor(
      async () => {
        const live = await processesMentioning(workDir);
        return doomedDetectors.every((pid) => !live.includes(pid));
      },
      { timeoutMs: 5_000, message: "the killed executor's detectors are gone" },
    );
    await waitForSucceeded(db, project.id, 2);
    for (const t of triggers) {
      const row = await db
        .selectFrom("triggers")
        .selectAll()
        .where("id", "=", t.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ attempt: 1, rescues: 1, max_attempts: 1 });
      const executions = await executionsOf(db, t.id);
      expect(executions.map((e) => [e.worker_id, e.status])).toEqual([
        [doomed.workerId, "lost"],
        [survivor.workerId, "success"],
      ]);
      const [lost, rerun] = executions;
      expect(lost!.error_message).toContain(
        `worker ${doomed.workerId} lost its database session`,
      );
      // far inside the 120 s lease: the freed lock, not the lease, sent it back
      // (bench/executor measures the figure: rescue latency after kill -9)
      expect(new Date(rerun!.started_at!).getTime() - killedAt).toBeLessThan(
        10_000,
      );
      expect(await lateRecord(db, doomed, lost!)).toBe(false);
      expect(await executionsOf(db, t.id)).toEqual(executions);
      // report: always reports the lost run too, as lost
      const reports = await db
        .selectFrom("report_outbox")
        .select(["execution_id", "payload"])
        .where("kind", "=", "report")
        .where("execution_id", "in", [lost!.id, rerun!.id])
        .orderBy("execution_id")
        .execute();
      expect(
        reports.map((r) => [
          r.execution_id,
          (r.payload as { execution: { status: string } }).execution.status,
        ]),
      ).toEqual([
        [lost!.id, "lost"],
        [rerun!.id, "success"],
      ]);
    }
  },
  90_000,
);

dbTest(
  "a worker cut off from PostgreSQL (frozen, its lock's backend terminated with pg_terminate_backend) has its runs rescued at once, long before its lease; resumed, it takes its lock back, its old runs write nothing, and each trigger succeeds exactly once",
  async ({ db, testDatabase }) => {
    const {
      project,
      busy: cut,
      triggers,
    } = await twoRunsOnOneExecutor(db, testDatabase.url);
    await uploadRows(db, project.id, SHORT_RUN);
    // frozen, it cannot reconnect: the closed session is all the others see
    cut.signal("SIGSTOP");
    const { rows } = await sql<{ terminated: boolean }>`
      SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
      WHERE application_name = ${`vigil worker lock ${cut.workerId}`.slice(0, 63)}`.execute(
      db,
    );
    expect(rows).toEqual([{ terminated: true }]);
    await waitForSucceeded(db, project.id, 2);
    cut.signal("SIGCONT");
    await waitFor(() => cut.logs.some((l) => l.includes("worker lock lost")), {
      timeoutMs: 5_000,
      message: "the cut worker noticed",
    });
    for (const t of triggers) {
      const executions = await executionsOf(db, t.id);
      expect(executions.map((e) => e.status)).toEqual(["lost", "success"]);
      expect(executions[0]!.worker_id).toBe(cut.workerId);
      expect(executions[0]!.error_message).toContain(
        "lost its database session",
      );
      expect(await lateRecord(db, cut, executions[0]!)).toBe(false);
    }
    // the cut worker is alive and holds its lock again
    await waitFor(
      async () =>
        (
          await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name = ${`vigil worker lock ${cut.workerId}`.slice(0, 63)}`.execute(
            db,
          )
        ).rows[0]?.n === 1,
      { timeoutMs: 10_000, message: "lock taken back" },
    );
  },
  90_000,
);

dbTest(
  "a trigger whose runs killed MAX_RESCUES workers is quarantined: failed with the reason, an alert in the outbox, never run again",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, {
      config: {
        data_source: { type: "manual" },
        alert: { slack_webhook_env: "VIGIL_SECRET_ALERT_URL" },
      },
    });
    await insertRule(db, project.id, { ruleId: "slow", code: SLEEPY_RULE });
    await uploadRows(db, project.id, LONG_RUN);
    const workDir = await makeWorkDir();
    const env = { WORK_DIR: workDir, MAX_RESCUES: "3", ...LONG_LEASE };
    const [t] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    // each worker that picks the run up is killed while the detector runs
    let victim = startExecutor(testDatabase.url, env);
    for (let kill = 1; kill <= 3; kill++) {
      await waitFor(
        async () => (await runningDetectors(workDir, project.id)).length >= 1,
        { timeoutMs: 30_000, message: `run ${kill} started` },
      );
      const next = await settledExecutor(testDatabase.url, env);
      victim.signal("SIGKILL");
      await victim.exited;
      await waitFor(
        async () =>
          (
            await db
              .selectFrom("triggers")
              .select("rescues")
              .where("id", "=", t!.id)
              .executeTakeFirstOrThrow()
          ).rescues === kill,
        { timeoutMs: 15_000, message: `rescue ${kill}` },
      );
      victim = next;
    }
    const row = await db
      .selectFrom("triggers")
      .selectAll()
      .where("id", "=", t!.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "failed", rescues: 3, attempt: 0 });
    expect(row.last_error).toMatch(/^quarantined: its runs killed 3 workers/);
    const executions = await executionsOf(db, t!.id);
    expect(executions.map((e) => e.status)).toEqual(["lost", "lost", "lost"]);
    const alerts = await db
      .selectFrom("report_outbox")
      .select(["kind", "execution_id", "payload"])
      .where("project_id", "=", project.id)
      .where("kind", "=", "alert")
      .execute();
    expect(alerts.map((a) => a.execution_id)).toEqual([executions[2]!.id]);
    expect(JSON.stringify(alerts[0]!.payload)).toContain("quarantined");
    // the survivor never runs it again
    await new Promise((r) => setTimeout(r, 1500));
    expect((await executionsOf(db, t!.id)).length).toBe(3);
  },
  150_000,
);
