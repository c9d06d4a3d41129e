import pg from "pg";
import { expect } from "vitest";

import { claimDueTriggers, isRetryable, type Db } from "@vigil/db";
import { dbTest, insertProject, insertTriggers } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";

import type { DetectorRunner } from "../src/detector-runner.js";
import { createLeaseKeeper } from "../src/lease-keeper.js";
import { createRecordBatcher } from "../src/record-batcher.js";
import { runTrigger } from "../src/run-trigger.js";

/** The error a query gets when its backend is terminated under it, as PostgreSQL sends it. */
async function terminatedConnectionError(url: string): Promise<Error> {
  const victim = new pg.Client({ connectionString: url });
  await victim.connect();
  victim.on("error", () => undefined);
  const { rows } = await victim.query<{ pid: number }>(
    "SELECT pg_backend_pid() AS pid",
  );
  const killer = new pg.Client({ connectionString: url });
  await killer.connect();
  await killer.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
  await killer.end();
  const err = await victim.query("SELECT 1").then(
    () => new Error("the query unexpectedly succeeded"),
    (e: Error) => e,
  );
  await victim.end().catch(() => undefined);
  return err;
}

async function runOnce(db: Db, runner: DetectorRunner) {
  const logger = createLogger({ level: "silent", name: "test" });
  const workerId = "control-db-test";
  const [claim] = (
    await claimDueTriggers(db, { workerId, leaseSeconds: 30, limit: 1 })
  ).claimed;
  const leaseKeeper = createLeaseKeeper({
    db,
    workerId,
    leaseSeconds: 30,
    logger,
  });
  const recorder = createRecordBatcher({ db, workerId, logger, lingerMs: 0 });
  await runTrigger(
    {
      runner,
      recorder,
      leaseKeeper,
      workerId,
      logger,
      retry: { baseMs: 10, maxMs: 10 },
    },
    claim!,
    new AbortController(),
  );
  return claim!;
}

dbTest(
  "a control-database error under a run (its connection terminated) hands the trigger back without spending an attempt; any other runner error fails the run",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_attempts: 1 },
    });
    const [t] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 1000),
    });
    const terminated = await terminatedConnectionError(testDatabase.url);
    expect(isRetryable(terminated)).toBe(true);

    const claim = await runOnce(db, {
      run: () => Promise.reject(terminated),
    });
    const handedBack = await db
      .selectFrom("triggers")
      .selectAll()
      .where("id", "=", t!.id)
      .executeTakeFirstOrThrow();
    expect(handedBack).toMatchObject({ status: "pending", attempt: 0 });
    const execution = await db
      .selectFrom("executions")
      .selectAll()
      .where("id", "=", claim.executionId)
      .executeTakeFirstOrThrow();
    expect(execution.status).toBe("cancelled");
    expect(execution.error_message).toContain(
      "the control database failed during the run",
    );
    expect(execution.error_message).toContain(terminated.message);

    await runOnce(db, {
      run: () => Promise.reject(new Error("a bug in the runner")),
    });
    expect(
      await db
        .selectFrom("triggers")
        .select(["status", "attempt", "last_error"])
        .where("id", "=", t!.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({
      status: "failed",
      attempt: 1,
      last_error:
        "the executor could not run the detector: a bug in the runner",
    });
  },
);
