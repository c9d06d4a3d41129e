import { access } from "node:fs/promises";

import { ReportSchema } from "@vigil/contracts";
import { dbTest } from "@vigil/db/testing";
import { afterAll, expect } from "vitest";

import {
  explain,
  runRules,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// Hostile rules aimed at the result and the record rather than the sandbox: floods, forgeries,
// code that must be refused before spawn, and values that PostgreSQL would refuse. Every case
// goes through one real executor process claiming real triggers; the cases run concurrently.
afterAll(killStartedExecutors);

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

dbTest.concurrent(
  "200 MB on stdout is counted and capped, and the run is still recorded with its findings",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(
      db,
      testDatabase.url,
      [{ ruleId: "flood-stdout" }],
      { timeout_seconds: 20 },
    );
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(run.execution.stdout_bytes).toBe(200 * 1024 * 1024);
    expect(run.execution.stdout_tail!.length).toBeLessThan(300 * 1024);
    expect(run.execution.stdout_tail).toContain("bytes in total");
    expect(run.findings["flood-stdout"]).toEqual({
      flooded: "wrote 200 MiB to stdout",
    });
  },
);

dbTest.concurrent(
  "forged results on stdout, on the result channel and in result.json do not count; the real one does",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "forge-result" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(run.execution.stdout_tail).toContain("forged finding");
    expect(run.findings).toEqual({
      "forge-result": { honest: "the only real finding" },
    });
    expect(run.execution.rules_total).toBe(1);
  },
);

dbTest.concurrent(
  "a forged result followed by process.exit fails the run: no line with a valid mac",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "forge-then-exit" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution.error_message).toBe(
      "the detector's result channel held 1 line(s) and no line with a valid mac",
    );
    expect(run.findings).toEqual({});
  },
);

dbTest.concurrent(
  "a syntax error fails the run before anything is spawned, naming the rule, line and column",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "honest" },
      { ruleId: "syntax-error" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution.error_message).toMatch(
      /syntax-error.*\(line 2, column \d+\)/s,
    );
    expect(run.execution.exit_code).toBeNull();
    expect(await exists(run.runDir)).toBe(false);
  },
);

dbTest.concurrent(
  "a disallowed import fails the run before anything is spawned, naming the rule, the module and the line",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "disallowed-import" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution.error_message).toMatch(
      /disallowed-import.*node:fs.*\(line 2, column \d+\)/s,
    );
    expect(run.execution.exit_code).toBeNull();
    expect(await exists(run.runDir)).toBe(false);
  },
);

dbTest.concurrent(
  "garbage return values fail only the rules that returned them: the run is partial, says which rules failed and why, alerts when asked to, and the other rule's findings are recorded",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(
      db,
      testDatabase.url,
      [
        { ruleId: "garbage-findings" },
        { ruleId: "garbage-number" },
        { ruleId: "honest" },
      ],
      {
        alert: {
          slack_webhook_env: "VIGIL_SECRET_ALERT_URL",
          on: ["partial"],
        },
        report: { mode: "always", url_env: "VIGIL_SECRET_REPORT_URL" },
      },
    );
    expect(run.execution.status, explain(run, executor)).toBe("partial");
    const [report] = await db
      .selectFrom("report_outbox")
      .select("payload")
      .where("execution_id", "=", run.execution.id)
      .where("kind", "=", "report")
      .execute();
    const { execution } = ReportSchema.parse(report?.payload);
    expect(execution.status).toBe("partial");
    expect(execution.rule_errors.map((e) => e.rule_id)).toEqual([
      "garbage-findings",
      "garbage-number",
    ]);
    expect(execution.rule_errors[0]?.message).not.toBe("");
    expect(run.execution.error_message).toMatch(
      /^2 of 3 rule\(s\) failed: garbage-findings: .+; garbage-number: .+/,
    );
    const trigger = await db
      .selectFrom("triggers")
      .select(["status", "last_error"])
      .where("id", "=", run.execution.trigger_id!)
      .executeTakeFirstOrThrow();
    expect(trigger).toEqual({
      status: "succeeded",
      last_error: run.execution.error_message,
    });
    const alerts = await db
      .selectFrom("report_outbox")
      .select("payload")
      .where("execution_id", "=", run.execution.id)
      .where("kind", "=", "alert")
      .execute();
    expect(alerts.map((a) => (a.payload as { text: string }).text)).toEqual([
      expect.stringContaining("ran with rule errors: 2 of 3 rule(s) failed"),
    ]);
    expect(run.execution).toMatchObject({
      rules_total: 3,
      rules_failed: 2,
      findings_count: 1,
    });
    expect(run.findings).toEqual({ honest: { o2: "order o2 is off" } });
    const results = run.execution.rule_results as {
      ruleId: string;
      status: string;
      error?: string;
    }[];
    expect(
      results
        .filter((r) => r.status === "error")
        .map((r) => r.ruleId)
        .sort(),
    ).toEqual(["garbage-findings", "garbage-number"]);
    expect(
      results.every((r) => r.status === "ok" || (r.error ?? "").length > 0),
    ).toBe(true);
  },
);

dbTest.concurrent(
  "NUL bytes, lone surrogates and broken UTF-8 in output, findings and rule errors are still recorded",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "nul-bytes" },
      { ruleId: "nul-error" },
      { ruleId: "honest" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("partial");
    expect(run.execution).toMatchObject({ rules_failed: 1, findings_count: 3 });
    expect(run.findings).toEqual({
      "nul-bytes": {
        "k\uFFFDey": "mess\uFFFDage",
        "surrogate\uFFFD": "lone \uFFFD surrogate",
      },
      honest: { o2: "order o2 is off" },
    });
    expect(run.findingData["nul-bytes"]?.["k\uFFFDey"]).toEqual({
      text: "da\uFFFDta",
      "\uFFFD": "\uFFFD",
    });
    expect(run.execution.stderr_tail).toContain("nul\uFFFDon stderr");
    const results = run.execution.rule_results as {
      ruleId: string;
      error?: string;
    }[];
    expect(results.find((r) => r.ruleId === "nul-error")?.error).toBe(
      "bad\uFFFDnews \uFFFD",
    );
  },
);

dbTest.concurrent(
  "a run whose every rule fails is failed, not a success: its trigger fails without a retry and the default alert fires",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(
      db,
      testDatabase.url,
      [{ ruleId: "garbage-findings" }, { ruleId: "garbage-number" }],
      {
        max_attempts: 3,
        alert: { slack_webhook_env: "VIGIL_SECRET_ALERT_URL" },
      },
    );
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution).toMatchObject({ rules_total: 2, rules_failed: 2 });
    expect(run.execution.error_message).toMatch(/^2 of 2 rule\(s\) failed: /);
    const trigger = await db
      .selectFrom("triggers")
      .select(["status", "attempt"])
      .where("id", "=", run.execution.trigger_id!)
      .executeTakeFirstOrThrow();
    expect(trigger).toEqual({ status: "failed", attempt: 1 });
    const alerts = await db
      .selectFrom("report_outbox")
      .select("id")
      .where("execution_id", "=", run.execution.id)
      .where("kind", "=", "alert")
      .execute();
    expect(alerts).toHaveLength(1);
  },
);
