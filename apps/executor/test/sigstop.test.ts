import { afterEach, expect } from "vitest";

import {
  dbTest,
  insertProject,
  insertTriggers,
  waitFor,
} from "@vigil/db/testing";

import { killStartedExecutors, startExecutor } from "./helpers.js";

afterEach(killStartedExecutors);

dbTest(
  "an executor frozen with SIGSTOP (its lock still held) loses the trigger to another replica when the lease expires, spending no attempt, and, resumed, writes nothing",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, {
      config: {
        data_source: { type: "manual" },
        max_concurrency: 5,
        max_attempts: 1,
      },
    });
    const frozen = startExecutor(testDatabase.url, {
      EXECUTOR_RUNNER: "noop",
      EXECUTOR_NOOP_DELAY_MS: "3000",
    });
    const [t] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
      concurrency_policy: "allow",
    });
    await waitFor(
      () =>
        db
          .selectFrom("triggers")
          .select("id")
          .where("id", "=", t!.id)
          .where("claimed_by", "=", frozen.workerId)
          .where("status", "=", "running")
          .executeTakeFirst(),
      { timeoutMs: 10_000, message: "claimed by the soon-frozen executor" },
    );
    frozen.signal("SIGSTOP");
    const other = startExecutor(testDatabase.url, {
      EXECUTOR_RUNNER: "noop",
      EXECUTOR_NOOP_DELAY_MS: "100",
    });
    const done = await waitFor(
      () =>
        db
          .selectFrom("triggers")
          .selectAll()
          .where("id", "=", t!.id)
          .where("status", "=", "succeeded")
          .executeTakeFirst(),
      {
        timeoutMs: 20_000,
        message: "taken over and finished by the other replica",
      },
    );
    expect(done).toMatchObject({
      claimed_by: other.workerId,
      attempt: 1,
      rescues: 1,
    });
    const before = await db
      .selectFrom("executions")
      .selectAll()
      .where("trigger_id", "=", t!.id)
      .orderBy("id")
      .execute();

    frozen.signal("SIGCONT");
    await waitFor(
      () => frozen.logs.some((l) => /lease lost|wrote nothing/.test(l)),
      { timeoutMs: 10_000, message: "the resumed executor noticed" },
    );
    const after = await db
      .selectFrom("executions")
      .selectAll()
      .where("trigger_id", "=", t!.id)
      .orderBy("id")
      .execute();
    expect(after).toEqual(before);
    expect(after.map((e) => [e.worker_id, e.status])).toEqual([
      [frozen.workerId, "lost"],
      [other.workerId, "success"],
    ]);
    expect(after[0]!.error_message).toMatch(
      /stopped renewing its lease \(frozen/,
    );
    expect(
      await db
        .selectFrom("triggers")
        .selectAll()
        .where("id", "=", t!.id)
        .executeTakeFirstOrThrow(),
    ).toEqual(done);
    const reports = await db
      .selectFrom("report_outbox")
      .select("id")
      .where("execution_id", "=", before[0]!.id)
      .execute();
    expect(reports).toEqual([]);
  },
  40_000,
);
