import { afterEach, expect } from "vitest";

import {
  dbTest,
  insertProject,
  insertRule,
  insertTriggers,
  waitFor,
} from "@vigil/db/testing";

import {
  finishedExecution,
  killStartedExecutors,
  makeWorkDir,
  startExecutor,
  uploadRows,
} from "./helpers.js";

afterEach(killStartedExecutors);

const RULE = `export function detect(rows, params) {
  return rows.filter((r) => Math.abs(r.total - r.paid) > params.tolerance)
             .map((r) => ({ key: r.id, message: "order " + r.id + " paid " + r.paid }));
}`;

dbTest(
  "a due trigger runs a real detector once and records its execution, findings and open discrepancies; the next run resolves them",
  async ({ db, testDatabase }) => {
    const project = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_concurrency: 1 },
    });
    await insertRule(db, project.id, {
      ruleId: "paid-matches-total",
      code: RULE,
      parameters: { tolerance: 0.5 },
      severity: "high",
    });
    await uploadRows(db, project.id, [
      { id: "o1", total: 10, paid: 10 },
      { id: "o2", total: 10, paid: 3 },
      { id: "o3", total: 7, paid: 1 },
    ]);
    const executor = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      DATABASE_URL_FOR_RULES_MUST_NOT_LEAK: "x",
    });
    const [first] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    const execution = await finishedExecution(db, first!.id);
    expect(execution, executor.logs.join("\n")).toMatchObject({
      status: "success",
      findings_count: 2,
      rules_total: 1,
      rules_failed: 0,
      row_count: 3,
    });
    expect(execution.detector_hash).toMatch(/^[0-9a-f]+$/);
    const findings = await db
      .selectFrom("findings")
      .selectAll()
      .where("execution_id", "=", execution.id)
      .orderBy("finding_key")
      .execute();
    expect(findings.map((f) => [f.finding_key, f.severity])).toEqual([
      ["o2", "high"],
      ["o3", "high"],
    ]);
    const trigger = await db
      .selectFrom("triggers")
      .selectAll()
      .where("id", "=", first!.id)
      .executeTakeFirstOrThrow();
    expect(trigger).toMatchObject({ status: "succeeded", attempt: 1 });

    await uploadRows(db, project.id, [
      { id: "o2", total: 10, paid: 10 },
      { id: "o3", total: 7, paid: 1 },
    ]);
    const [second] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    await waitFor(
      () =>
        db
          .selectFrom("triggers")
          .select("status")
          .where("id", "=", second!.id)
          .where("status", "=", "succeeded")
          .executeTakeFirst(),
      { timeoutMs: 20_000, message: "the second run succeeded" },
    );
    const states = await db
      .selectFrom("discrepancies")
      .select(["finding_key", "status", "occurrences"])
      .where("project_id", "=", project.id)
      .orderBy("finding_key")
      .execute();
    expect(states).toEqual([
      { finding_key: "o2", status: "resolved", occurrences: 1 },
      { finding_key: "o3", status: "open", occurrences: 2 },
    ]);
  },
  45_000,
);

dbTest(
  "a failing run is retried with backoff, each attempt its own execution row, until max_attempts is spent",
  async ({ db, testDatabase }) => {
    // no dataset uploaded: loading rows fails, which is retryable
    const project = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_attempts: 3 },
    });
    await insertRule(db, project.id, {
      ruleId: "r",
      code: RULE,
      parameters: { tolerance: 0 },
    });
    startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      RETRY_BACKOFF_BASE_MS: "400",
    });
    const [t] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    const trigger = await waitFor(
      () =>
        db
          .selectFrom("triggers")
          .selectAll()
          .where("id", "=", t!.id)
          .where("status", "=", "failed")
          .executeTakeFirst(),
      { timeoutMs: 20_000, message: "the trigger failed for good" },
    );
    expect(trigger.attempt).toBe(3);
    expect(trigger.last_error).toContain("no dataset");
    const executions = await db
      .selectFrom("executions")
      .selectAll()
      .where("trigger_id", "=", t!.id)
      .orderBy("id")
      .execute();
    expect(executions.map((e) => [e.attempt, e.status])).toEqual([
      [1, "failed"],
      [2, "failed"],
      [3, "failed"],
    ]);
    // attempt n waits between base*2^(n-1)/2 and base*2^(n-1): at least 200 ms, then at least 400 ms
    const gap = (a: number, b: number) =>
      executions[b]!.started_at!.getTime() -
      executions[a]!.finished_at!.getTime();
    expect(gap(0, 1)).toBeGreaterThanOrEqual(190);
    expect(gap(1, 2)).toBeGreaterThanOrEqual(390);
  },
  30_000,
);
