import { gunzipSync, gzipSync } from "node:zlib";

import { describeExecutionInput, requestReplay, type Db } from "@vigil/db";
import {
  dbTest,
  insertProject,
  insertRule,
  insertTriggers,
} from "@vigil/db/testing";
import { afterEach, expect } from "vitest";

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
             .map((r) => ({ key: r.id, message: "order " + r.id + " paid " + r.paid + " of " + r.total,
                            severity: r.total - r.paid > 5 ? "critical" : "low" }));
}`;

const ORIGINAL_ROWS = [
  { id: "o1", total: 10, paid: 10 },
  { id: "o2", total: 10, paid: 3 },
  { id: "o3", total: 7, paid: 6 },
  { id: "o4", total: 20, paid: 0 },
];

/** The findings of an execution as a user compares them: fingerprint, message, severity. */
async function findingsOf(db: Db, executionId: number) {
  return db
    .selectFrom("findings")
    .select(["fingerprint", "message", "severity", "rule_id"])
    .where("execution_id", "=", executionId)
    .orderBy("fingerprint")
    .execute();
}

async function manualProject(db: Db) {
  const project = await insertProject(db, {
    config: { data_source: { type: "manual" }, max_concurrency: 1 },
  });
  await insertRule(db, project.id, {
    ruleId: "paid-matches-total",
    code: RULE,
    parameters: { tolerance: 0.5 },
    severity: "high",
  });
  return project;
}

dbTest(
  "a replay run by a second executor process, after the live data changed, finds exactly what the original found",
  async ({ db, testDatabase }) => {
    const project = await manualProject(db);
    await uploadRows(db, project.id, ORIGINAL_ROWS);

    const a = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
    });
    const [first] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    const original = await finishedExecution(db, first!.id);
    expect(original.status, a.logs.join("\n")).toBe("success");
    const originalFindings = await findingsOf(db, original.id);
    expect(originalFindings).toHaveLength(3);

    // the input is kept compressed: gzip of the NDJSON rows, with its window and parameters
    const stored = await db
      .selectFrom("execution_inputs")
      .selectAll()
      .where("execution_id", "=", original.id)
      .executeTakeFirstOrThrow();
    expect(stored.rows_gz).not.toBeNull();
    expect(stored.bytes).toBe(stored.rows_gz!.length);
    const ndjson = gunzipSync(stored.rows_gz!).toString("utf8");
    expect(stored.raw_bytes).toBe(Buffer.byteLength(ndjson));
    expect(
      ndjson
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(ORIGINAL_ROWS);
    expect(stored).toMatchObject({
      project_id: project.id,
      row_count: 4,
      not_kept: null,
      detector_hash: original.detector_hash,
      parameters: { "paid-matches-total": { tolerance: 0.5 } },
      window_start: original.window_start,
      window_end: original.window_end,
    });

    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    // a live run now would find something else: o2 paid, o5 new and unpaid
    await uploadRows(db, project.id, [
      { id: "o1", total: 10, paid: 10 },
      { id: "o2", total: 10, paid: 10 },
      { id: "o5", total: 9, paid: 1 },
    ]);

    const replay = await requestReplay(db, {
      executionId: original.id,
      requestedBy: "test",
    });
    expect(replay).toMatchObject({ source: "replay", replay_of: original.id });
    const b = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
    });
    const replayed = await finishedExecution(db, replay!.id);
    expect(replayed, b.logs.join("\n")).toMatchObject({
      status: "success",
      source: "replay",
      worker_id: b.workerId,
      row_count: 4,
      detector_hash: original.detector_hash,
      window_start: original.window_start,
      window_end: original.window_end,
    });
    expect(await findingsOf(db, replayed.id)).toEqual(originalFindings);

    // the same executor on the live source sees the changed data
    const [live] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    const liveRun = await finishedExecution(db, live!.id);
    expect(liveRun.status).toBe("success");
    expect(await findingsOf(db, liveRun.id)).not.toEqual(originalFindings);
  },
  60_000,
);

dbTest(
  "an input above EXECUTION_INPUT_MAX_BYTES is not kept and says so; with EXECUTION_INPUTS off none is stored; neither can be replayed",
  async ({ db, testDatabase }) => {
    const project = await manualProject(db);
    await uploadRows(db, project.id, ORIGINAL_ROWS);

    const capped = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      EXECUTION_INPUT_MAX_BYTES: "40b",
    });
    const [first] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    const tooLarge = await finishedExecution(db, first!.id);
    expect(tooLarge.status, capped.logs.join("\n")).toBe("success");
    const row = await db
      .selectFrom("execution_inputs")
      .selectAll()
      .where("execution_id", "=", tooLarge.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      rows_gz: null,
      not_kept: "too_large",
      row_count: 4,
    });
    expect(row.bytes).toBeGreaterThan(40);
    expect(await describeExecutionInput(db, tooLarge.id)).toMatchObject({
      kept: false,
      reason: "too_large",
    });
    expect(
      await requestReplay(db, {
        executionId: tooLarge.id,
        requestedBy: "test",
      }),
    ).toBeUndefined();
    capped.signal("SIGTERM");
    await capped.exited;

    const off = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      EXECUTION_INPUTS: "false",
    });
    const [second] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    const notStored = await finishedExecution(db, second!.id);
    expect(notStored.status, off.logs.join("\n")).toBe("success");
    expect(await describeExecutionInput(db, notStored.id)).toMatchObject({
      kept: false,
      reason: "not_recorded",
    });
    expect(
      await requestReplay(db, {
        executionId: notStored.id,
        requestedBy: "test",
      }),
    ).toBeUndefined();

    // an input pruned between the request and the claim fails the replay, naming why
    await db
      .insertInto("execution_inputs")
      .values({
        execution_id: notStored.id,
        project_id: project.id,
        window_start: notStored.window_start!,
        window_end: notStored.window_end!,
        row_count: 0,
        bytes: 20,
        raw_bytes: 0,
        rows_gz: gzipSync(""),
      })
      .execute();
    const doomed = await requestReplay(db, {
      executionId: notStored.id,
      requestedBy: "test",
    });
    expect(doomed).toBeDefined();
    await db
      .updateTable("execution_inputs")
      .set({ rows_gz: null, not_kept: "pruned_age", pruned_at: new Date() })
      .where("execution_id", "=", notStored.id)
      .execute();
    const failed = await finishedExecution(db, doomed!.id);
    expect(failed).toMatchObject({ status: "failed", source: "replay" });
    expect(failed.error_message).toContain(
      `the stored input of execution ${notStored.id} is gone`,
    );
  },
  60_000,
);
