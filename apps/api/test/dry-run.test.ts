/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- tests read response bodies (typed any) freely */
import { createHash } from "node:crypto";

import { DryRunResponseSchema } from "@vigil/contracts";
import type { Db } from "@vigil/db";
import { dbTest, insertDiscrepancy, waitFor } from "@vigil/db/testing";
import { sql } from "kysely";
import { describe, expect } from "vitest";

import { startTestExecutor, type TestExecutor } from "./executor-process.js";
import {
  OTHER_TOKEN,
  projectBody,
  startTestApi,
  type TestApi,
} from "./helpers.js";

/**
 * The file's API, which hands dry runs to the executors and waits (LISTEN) for their answers,
 * and one real executor process that runs them, registered before any test counts rows.
 */
const test = dbTest.extend<{ api: TestApi; executor: TestExecutor }>({
  api: [
    async ({ dbHandle, testDatabase }, use) => {
      const api = await startTestApi(dbHandle, {
        listenConnectionString: testDatabase.url,
        dryRun: { limits: { global: 2, perToken: 1 }, waitSeconds: 20 },
      });
      await use(api);
      await api.server.close({ graceMs: 1000 });
    },
    { scope: "file" },
  ],
  executor: [
    async ({ db, testDatabase }, use) => {
      const executor = await startTestExecutor(testDatabase.url);
      await waitFor(
        () =>
          db
            .selectFrom("workers")
            .select("id")
            .where("id", "=", executor.workerId)
            .where("status", "=", "running")
            .executeTakeFirst(),
        { timeoutMs: 60_000 },
      );
      await use(executor);
      await executor.stop();
    },
    { scope: "file" },
  ],
});

/** The executor process is still there and still answers dry runs. */
async function expectExecutorAlive(
  api: TestApi,
  executor: TestExecutor,
  projectId: string,
) {
  const again = await api.call("POST", `/projects/${projectId}/dry-run`, {
    body: { rows: [{ id: 1, bad: true }], rules: [FLAG_BAD] },
  });
  expect(again.status, `${again.text}\n${executor.output()}`).toBe(200);
  expect(() => process.kill(executor.pid, 0)).not.toThrow();
}

const fingerprintOf = (ruleId: string, key: string) =>
  createHash("sha256").update(`${ruleId}\0${key}`).digest("hex");

/** Flags every row with `bad`, at the row's `sev` (default medium), keyed by its id. */
const FLAG_BAD = {
  rule_id: "r1",
  code: "export function detect(rows) { return rows.filter((r) => r.bad).map((r) => ({ key: String(r.id), message: 'row ' + r.id + ' is bad', ...(r.sev ? { severity: r.sev } : {}) })); }",
};

const KEYED = { data_source: { type: "manual", key: "id" } };

/** Row counts of every table of the public schema, by name. */
async function tableCounts(db: Db): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`.execute(
    db,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const { rows } = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(db);
    counts[name] = Number(rows[0]?.n);
  }
  return counts;
}

const discrepanciesOf = (db: Db, projectId: string) =>
  db
    .selectFrom("discrepancies")
    .selectAll()
    .where("project_id", "=", projectId)
    .orderBy("fingerprint")
    .execute();

/** Discrepancies of rule r1, one per key, with the given status and severity. */
async function seed(
  db: Db,
  projectId: string,
  rows: Array<{
    key: string;
    status: "open" | "resolved";
    severity?: "medium" | "high";
  }>,
) {
  for (const r of rows) {
    await insertDiscrepancy(db, projectId, {
      fingerprint: fingerprintOf("r1", r.key),
      finding_key: r.key,
      row_key: r.key,
      status: r.status,
      severity: r.severity ?? "medium",
      ...(r.status === "resolved" ? { resolved_at: new Date() } : {}),
    });
  }
}

const keysOf = (entries: Array<{ finding_key: string }>) =>
  entries.map((e) => e.finding_key).sort();

describe("POST /projects/{id}/dry-run", () => {
  test("plans open, reopen, resolve and unchanged against the current state, for the sample's rows only, and leaves every table as it was", async ({
    api,
    db,
    executor,
  }) => {
    expect(
      (
        await api.call("POST", "/projects", {
          body: projectBody("dry-plan", { config: KEYED, rules: [FLAG_BAD] }),
        })
      ).status,
    ).toBe(201);
    await seed(db, "dry-plan", [
      { key: "2", status: "resolved" },
      { key: "3", status: "open" },
      { key: "4", status: "open" },
      { key: "5", status: "open" },
      { key: "9", status: "open" },
    ]);
    const before = await tableCounts(db);
    expect(before.dry_run_requests).toBe(0);
    const state = await discrepanciesOf(db, "dry-plan");

    const res = await api.call("POST", "/projects/dry-plan/dry-run", {
      body: {
        rows: [
          { id: 1, bad: true },
          { id: 2, bad: true },
          { id: 3, bad: false },
          { id: 4, bad: true, sev: "high" },
          { id: 5, bad: true },
        ],
      },
    });
    expect(res.status, `${res.text}\n${executor.output()}`).toBe(200);
    expect(DryRunResponseSchema.safeParse(res.json).success).toBe(true);
    const { plan, outcome, rules, findings } = res.json;
    expect(outcome).toMatchObject({ kind: "succeeded", status: "success" });
    expect(res.json.input).toBe("rows");
    expect(res.json.row_count).toBe(5);
    expect(rules).toMatchObject([{ rule_id: "r1", status: "ok", findings: 4 }]);
    expect(findings.map((f: { key: string }) => f.key).sort()).toEqual([
      "1",
      "2",
      "4",
      "5",
    ]);
    expect(keysOf(plan.would_open)).toEqual(["1"]);
    expect(keysOf(plan.would_reopen)).toEqual(["2"]);
    expect(keysOf(plan.would_resolve)).toEqual(["3"]);
    expect(keysOf(plan.unchanged)).toEqual(["4", "5"]);
    const four = plan.unchanged.find(
      (e: { finding_key: string }) => e.finding_key === "4",
    );
    expect(four).toMatchObject({
      change: "escalated",
      escalated: true,
      previous_severity: "medium",
      severity: "high",
    });
    // 9 is tracked but not in the sample: the plan says nothing about it
    expect(plan).toMatchObject({ scope: "sample", resolutions_planned: true });
    expect(plan.note).toMatch(/rows not given/);

    expect(await tableCounts(db)).toEqual(before);
    expect(await discrepanciesOf(db, "dry-plan")).toEqual(state);
  });

  test("without rows the project's source is read: what it no longer flags resolves, the answer is not a sample, and nothing is written", async ({
    api,
    db,
    executor,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("dry-live", { config: KEYED, rules: [FLAG_BAD] }),
    });
    const upload = await api.call("POST", "/projects/dry-live/data", {
      body: [
        { id: 1, bad: true },
        { id: 3, bad: false },
      ],
    });
    expect(upload.status, upload.text).toBe(201);
    await seed(db, "dry-live", [
      { key: "3", status: "open" },
      { key: "1", status: "resolved" },
    ]);
    const before = await tableCounts(db);

    // a new rule that flags everything, next to the stored one
    const res = await api.call("POST", "/projects/dry-live/dry-run", {
      body: {
        rules: [
          {
            rule_id: "r2",
            code: "export function detect(rows) { return rows.map((r) => ({ key: String(r.id), message: 'all' })); }",
          },
        ],
      },
    });
    expect(res.status, `${res.text}\n${executor.output()}`).toBe(200);
    const { plan } = res.json;
    expect(res.json.input).toBe("source");
    expect(plan).toMatchObject({
      scope: "source",
      note: null,
      resolutions_planned: true,
    });
    expect(res.json.rules.map((r: { rule_id: string }) => r.rule_id)).toEqual([
      "r1",
      "r2",
    ]);
    expect(keysOf(plan.would_reopen)).toEqual(["1"]);
    expect(keysOf(plan.would_resolve)).toEqual(["3"]);
    // r2's findings of rows 1 and 3 are new
    expect(plan.would_open.map((e: { rule_id: string }) => e.rule_id)).toEqual([
      "r2",
      "r2",
    ]);
    expect(await tableCounts(db)).toEqual(before);
  });

  test("a sample of a project with no row key plans no resolution, and says so", async ({
    api,
    db,
    executor,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("dry-unkeyed", {
        config: { data_source: { type: "manual" } },
        rules: [FLAG_BAD],
      }),
    });
    await seed(db, "dry-unkeyed", [{ key: "3", status: "open" }]);
    const res = await api.call("POST", "/projects/dry-unkeyed/dry-run", {
      body: { rows: [{ id: 1, bad: true }] },
    });
    expect(res.status, `${res.text}\n${executor.output()}`).toBe(200);
    expect(res.json.plan).toMatchObject({
      scope: "sample",
      resolutions_planned: false,
      would_resolve: [],
    });
    expect(keysOf(res.json.plan.would_open)).toEqual(["1"]);
    expect(res.json.plan.note).toMatch(/no resolution is planned/);
  });

  test("hostile rules are answered 200 with their error: a loop times out, a heap bomb says memory, a forbidden import is refused, a throw names its line and column; the API stays up", async ({
    api,
    executor,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("dry-hostile", { rules: [FLAG_BAD] }),
    });
    const run = (code: string, config: Record<string, unknown> = {}) =>
      api.call("POST", "/projects/dry-hostile/dry-run", {
        body: {
          rows: [{ id: 1 }],
          rules: [{ rule_id: "r1", code }],
          config: { data_source: { type: "manual" }, ...config },
        },
      });

    const loop = await run("export function detect() { for (;;) {} }", {
      timeout_seconds: 1,
    });
    expect(loop.status, loop.text).toBe(200);
    expect(loop.json.outcome).toMatchObject({
      kind: "timed_out",
      status: "timeout",
    });
    // as the executor words a timeout: with the rule that was running
    expect(loop.json.outcome.message).toMatch(
      /timed out after 1 s while running rule "r1"/,
    );
    expect(loop.json.plan).toBeNull();

    const bomb = await run(
      "export function detect() { const h = []; for (;;) { h.push(new Array(1_000_000).fill(0.5)); } }",
      { memory_mb: 64 },
    );
    expect(bomb.status, bomb.text).toBe(200);
    expect(bomb.json.outcome.kind).toBe("failed");
    expect(bomb.json.outcome.message).toMatch(/memory/);

    const imports = await run(
      "import { exec } from 'node:child_process';\nexport function detect() { exec('id'); return []; }",
    );
    expect(imports.status, imports.text).toBe(200);
    expect(imports.json.outcome.kind).toBe("rejected");
    expect(imports.json.outcome.message).toMatch(/child_process/);

    const thrown = await run(
      "export function detect(rows) {\n  const n = rows.length;\n    throw new Error('boom ' + n);\n}",
    );
    expect(thrown.status, thrown.text).toBe(200);
    expect(thrown.json.outcome).toMatchObject({
      kind: "succeeded",
      status: "failed",
    });
    expect(thrown.json.rules).toMatchObject([
      { rule_id: "r1", status: "error", line: 3, column: 11 },
    ]);
    expect(thrown.json.rules[0].error).toMatch(/boom 1/);

    const health = await api.call("GET", "/health", { token: null });
    expect(health.status).toBe(200);
    await expectExecutorAlive(api, executor, "dry-hostile");
  });

  test("a token gets 429 with Retry-After while its dry run is in flight; another token runs meanwhile", async ({
    api,
    executor,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("dry-limit", { rules: [FLAG_BAD] }),
    });
    const looping = {
      rows: [{ id: 1 }],
      rules: [
        { rule_id: "r1", code: "export function detect() { for (;;) {} }" },
      ],
      config: { data_source: { type: "manual" }, timeout_seconds: 2 },
    };
    const send = (token?: string) =>
      api.call("POST", "/projects/dry-limit/dry-run", {
        body: looping,
        ...(token === undefined ? {} : { token }),
      });
    // two at once from one token: whichever is read first holds the token's one slot until it
    // times out, so the other is refused
    const first = send();
    const second = send();
    const refused = await Promise.race([
      first.then((r) => (r.status === 429 ? r : second)),
      second.then((r) => (r.status === 429 ? r : first)),
    ]);
    expect(refused.status, refused.text).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.json.error).toMatchObject({
      code: "rate_limited",
      details: { limit: "DRY_RUN_CONCURRENCY_PER_TOKEN", value: 1 },
    });
    expect(refused.json.error.message).toMatch(
      /DRY_RUN_CONCURRENCY_PER_TOKEN=1/,
    );
    // meanwhile another token has a slot of its own
    const other = await send(OTHER_TOKEN);
    expect(other.status, `${other.text}\n${executor.output()}`).toBe(200);
    const statuses = (await Promise.all([first, second])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 429]);
  });

  test("bad bodies are 422 naming the field; an execution with no stored input is 422 on execution_id; an unknown project is 404", async ({
    api,
    executor,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("dry-bad", { rules: [FLAG_BAD] }),
    });
    const cases: Array<[unknown, string]> = [
      [{ rules: [{ rule_id: "r1" }] }, "rules.0.code"],
      [{ rows: "nope" }, "rows"],
      [{ rows: [1] }, "rows.0"],
      [
        { config: { data_source: { type: "nope" } } },
        "config.data_source.type",
      ],
      [
        { config: { data_source: { type: "manual" }, timeout_seconds: 0 } },
        "config.timeout_seconds",
      ],
      [
        {
          window: {
            start: "2026-01-02T00:00:00Z",
            end: "2026-01-01T00:00:00Z",
          },
        },
        "window.end",
      ],
      [{ rows: [], execution_id: 1 }, "execution_id"],
      [{ surprise: 1 }, "(root)"],
      [
        {
          rules: [
            { rule_id: "a", code: "export const detect = () => []" },
            { rule_id: "a", code: "export const detect = () => []" },
          ],
        },
        "rules.1.rule_id",
      ],
      [{ execution_id: 42 }, "execution_id"],
    ];
    for (const [body, path] of cases) {
      const res = await api.call("POST", "/projects/dry-bad/dry-run", { body });
      expect(
        res.status,
        `${JSON.stringify(body)}: ${res.text}\n${executor.output()}`,
      ).toBe(422);
      expect(res.json.error.code).toBe("validation_failed");
      expect(
        res.json.error.details.map((d: { path: string }) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const missing = await api.call("POST", "/projects/nope/dry-run", {
      body: {},
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("not_found");
  });

  test("the default window is the next scheduled run's; without a schedule, a run starting now", async ({
    api,
    executor,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("dry-window", {
        config: { data_source: { type: "manual" }, lookback: "PT1H" },
        schedules: [{ cron_expression: "0 0 1 1 *", timezone: "UTC" }],
        rules: [FLAG_BAD],
      }),
    });
    await api.call("POST", "/projects", {
      body: projectBody("dry-unscheduled", {
        config: { data_source: { type: "manual" }, lookback: "PT1H" },
        schedules: [],
        rules: [FLAG_BAD],
      }),
    });
    const scheduled = await api.call("POST", "/projects/dry-window/dry-run", {
      body: { rows: [{ id: 1 }] },
    });
    expect(scheduled.status, `${scheduled.text}\n${executor.output()}`).toBe(
      200,
    );
    const nextNewYear = new Date(
      Date.UTC(new Date().getUTCFullYear() + 1, 0, 1),
    );
    expect(scheduled.json.window).toEqual({
      start: new Date(nextNewYear.getTime() - 3600_000).toISOString(),
      end: nextNewYear.toISOString(),
    });

    const asked = Date.now();
    const unscheduled = await api.call(
      "POST",
      "/projects/dry-unscheduled/dry-run",
      { body: { rows: [{ id: 1 }] } },
    );
    expect(unscheduled.status, unscheduled.text).toBe(200);
    const end = Date.parse(unscheduled.json.window.end);
    expect(end).toBeGreaterThanOrEqual(asked - 1000);
    expect(end).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test("a dry run of a past execution's execution_id finds what that execution found, after the live data changed", async ({
    api,
    db,
    executor,
  }) => {
    await api.call("POST", "/projects", {
      body: projectBody("dry-kept", { config: KEYED, rules: [FLAG_BAD] }),
    });
    const upload = (rows: unknown[]) =>
      api.call("POST", "/projects/dry-kept/data", { body: rows });
    expect(
      (
        await upload([
          { id: 1, bad: true },
          { id: 2, bad: false },
          { id: 3, bad: true },
        ])
      ).status,
    ).toBe(201);
    const trigger = await api.call("POST", "/projects/dry-kept/trigger", {
      body: {},
    });
    expect(trigger.status, trigger.text).toBe(202);
    const execution = await waitFor(
      () =>
        db
          .selectFrom("executions")
          .select(["id", "status"])
          .where("trigger_id", "=", trigger.json.id)
          .where("finished_at", "is not", null)
          .executeTakeFirst(),
      { timeoutMs: 60_000 },
    );
    expect(execution.status, executor.output()).toBe("success");
    const found = await db
      .selectFrom("findings")
      .select("finding_key")
      .where("execution_id", "=", execution.id)
      .execute();
    const executionKeys = found.map((f) => f.finding_key).sort();
    expect(executionKeys).toEqual(["1", "3"]);

    expect(
      (
        await upload([
          { id: 1, bad: false },
          { id: 2, bad: true },
        ])
      ).status,
    ).toBe(201);
    const replayed = await api.call("POST", "/projects/dry-kept/dry-run", {
      body: { execution_id: execution.id },
    });
    expect(replayed.status, `${replayed.text}\n${executor.output()}`).toBe(200);
    expect(replayed.json.input).toBe("execution");
    expect(
      replayed.json.findings.map((f: { key: string }) => f.key).sort(),
    ).toEqual(executionKeys);
    const live = await api.call("POST", "/projects/dry-kept/dry-run", {
      body: {},
    });
    expect(live.status, live.text).toBe(200);
    expect(live.json.findings.map((f: { key: string }) => f.key)).toEqual([
      "2",
    ]);
  });
});
