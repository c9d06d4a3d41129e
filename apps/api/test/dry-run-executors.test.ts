/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- tests read response bodies (typed any) freely */
import { dbTest, waitFor } from "@vigil/db/testing";
import { describe, expect, onTestFinished } from "vitest";

import { startTestExecutor } from "./executor-process.js";
import { projectBody, startTestApi, type TestApi } from "./helpers.js";

/** An API whose dry runs wait 2 s past the run's timeout; no executor unless a test starts one. */
const test = dbTest.extend<{ api: TestApi }>({
  api: [
    async ({ dbHandle, testDatabase }, use) => {
      const api = await startTestApi(dbHandle, {
        listenConnectionString: testDatabase.url,
        dryRun: { limits: { global: 2, perToken: 1 }, waitSeconds: 2 },
      });
      await use(api);
      await api.server.close({ graceMs: 1000 });
    },
    { scope: "file" },
  ],
});

/** Busy for `ms` (no sleep exists in the sandbox), then flags row 1. */
const busyRule = (ms: number) => ({
  rule_id: "busy",
  code: `export function detect(rows) { const end = Date.now() + ${ms}; while (Date.now() < end) {} return rows.map((r) => ({ key: String(r.id), message: 'seen' })); }`,
});

describe("dry runs and the executors that run them", () => {
  test("no executor: 503 unavailable once the run's timeout and DRY_RUN_WAIT_SECONDS are over, naming that no executor took it, and the request is withdrawn", async ({
    api,
    db,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("nobody", {
        config: { data_source: { type: "manual" }, timeout_seconds: 1 },
      }),
    });
    const res = await api.call("POST", "/projects/nobody/dry-run", {
      body: { rows: [{ id: 1 }] },
    });
    expect(res.status, res.text).toBe(503);
    expect(res.json.error).toMatchObject({
      code: "unavailable",
      details: { live_executors: 0, wait_seconds: 3 },
    });
    expect(res.json.error.message).toMatch(
      /no executor took the dry run within 3 s/,
    );
    expect(
      await db.selectFrom("dry_run_requests").select("id").execute(),
    ).toEqual([]);
  });

  test("an executor killed mid dry run: another takes it once the lease expires and answers", async ({
    api,
    db,
    testDatabase,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("crash", {
        config: { data_source: { type: "manual" }, timeout_seconds: 30 },
        rules: [busyRule(4000)],
      }),
    });
    const first = await startTestExecutor(testDatabase.url);
    onTestFinished(() => first.stop());
    const pending = api.call("POST", "/projects/crash/dry-run", {
      body: { rows: [{ id: 1 }] },
    });
    const taken = await waitFor(
      () =>
        db
          .selectFrom("dry_run_requests")
          .select(["id", "worker_id"])
          .where("status", "=", "running")
          .executeTakeFirst(),
      { timeoutMs: 60_000 },
    );
    expect(taken.worker_id).toBe(first.workerId);
    await first.kill();
    const second = await startTestExecutor(testDatabase.url);
    onTestFinished(() => second.stop());

    const res = await pending;
    expect(res.status, `${res.text}\n${second.output()}`).toBe(200);
    expect(res.json.outcome).toMatchObject({ kind: "succeeded" });
    expect(res.json.findings.map((f: { key: string }) => f.key)).toEqual(["1"]);
    expect(second.output()).toContain(`"dryRunId":${taken.id}`);
    expect(
      await db.selectFrom("dry_run_requests").select("id").execute(),
    ).toEqual([]);
  });
});
