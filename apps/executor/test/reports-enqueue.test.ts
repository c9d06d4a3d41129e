import { ReportSchema, type ProjectConfig } from "@vigil/contracts";
import type { Db, ExecutionRow, ReportDiscrepancy } from "@vigil/db";
import { dbTest, insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import {
  enqueueReportForExecution,
  type EnqueueReportInput,
} from "../src/reports/enqueue-report.js";
import { insertExecution, projectConfig } from "./reports-helpers.js";

const settings = {
  maxAttempts: 5,
  publicUrl: "https://vigil.example.com/",
  globalReportUrlSet: true,
};

const transition = (
  change: ReportDiscrepancy["change"],
  key: string,
  severity: ReportDiscrepancy["severity"] = "high",
): ReportDiscrepancy => ({
  change,
  fingerprint: `fp-${key}`,
  ruleId: "totals",
  findingKey: key,
  severity,
  previousSeverity: severity,
  status: change === "resolved" ? "resolved" : "open",
  previousStatus: change === "new" ? null : "open",
  message: `order ${key} is off`,
  occurrences: change === "new" ? 1 : 3,
  firstSeenAt: new Date("2026-11-01T00:00:00Z"),
  regressions: 0,
  assignee: null,
});

async function enqueue(
  db: Db,
  project: { id: string; name: string; config: ProjectConfig },
  execution: ExecutionRow,
  changes?: ReportDiscrepancy[],
) {
  const input: EnqueueReportInput = {
    project,
    execution,
    settings,
    now: new Date("2026-11-22T12:00:00Z"),
    ...(changes ? { changes } : {}),
  };
  return db
    .transaction()
    .execute((trx) => enqueueReportForExecution(trx, input));
}

async function setup(db: Db, config: ProjectConfig) {
  const row = await insertProject(db, { config: config });
  return { id: row.id, name: row.name, config };
}

async function outbox(db: Db, projectId: string) {
  return db
    .selectFrom("report_outbox")
    .selectAll()
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
}

describe("enqueueing reports", () => {
  dbTest(
    "writes a versioned report grouped as new, still open and resolved, with counts by severity",
    async ({ db }) => {
      const project = await setup(
        db,
        projectConfig({
          report: { mode: "always", url_env: "VIGIL_SECRET_TEST_REPORT_URL" },
        }),
      );
      const execution = await insertExecution(db, project.id, {
        findings_count: 2,
      });
      const result = await enqueue(db, project, execution, [
        transition("new", "a", "critical"),
        transition("still_open", "b", "low"),
        transition("resolved", "c"),
      ]);
      expect(result).toEqual({ report: "enqueued", alert: "not_configured" });
      const [row] = await outbox(db, project.id);
      expect(row).toMatchObject({
        kind: "report",
        idempotency_key: `report:${execution.id}`,
        target_env: "VIGIL_SECRET_TEST_REPORT_URL",
        status: "pending",
        max_attempts: 5,
      });
      const report = ReportSchema.parse(row?.payload);
      expect(report.id).toBe(`report:${execution.id}`);
      expect(report.execution.url).toBe(
        `https://vigil.example.com/executions/${execution.id}`,
      );
      expect(report.findings.new.map((f) => f.key)).toEqual(["a"]);
      expect(report.findings.still_open.map((f) => f.key)).toEqual(["b"]);
      expect(report.findings.resolved.map((f) => f.key)).toEqual(["c"]);
      expect(report.summary.open_by_severity).toEqual({
        info: 0,
        low: 1,
        medium: 0,
        high: 0,
        critical: 1,
      });
      expect(report.summary.resolved_by_severity.high).toBe(1);
    },
  );

  dbTest(
    "on_change reports only when the set of open discrepancies changed",
    async ({ db }) => {
      const project = await setup(
        db,
        projectConfig({
          report: {
            mode: "on_change",
            url_env: "VIGIL_SECRET_TEST_REPORT_URL",
          },
        }),
      );
      const quiet = await enqueue(
        db,
        project,
        await insertExecution(db, project.id, { findings_count: 1 }),
        [transition("still_open", "b")],
      );
      const resolved = await enqueue(
        db,
        project,
        await insertExecution(db, project.id),
        [transition("resolved", "b")],
      );
      const fresh = await enqueue(
        db,
        project,
        await insertExecution(db, project.id, { findings_count: 1 }),
        [transition("new", "d")],
      );
      expect([quiet.report, resolved.report, fresh.report]).toEqual([
        "mode",
        "enqueued",
        "enqueued",
      ]);
    },
  );

  dbTest(
    "on_findings reports executions that found something; none never reports",
    async ({ db }) => {
      const onFindings = await setup(
        db,
        projectConfig({
          report: {
            mode: "on_findings",
            url_env: "VIGIL_SECRET_TEST_REPORT_URL",
          },
        }),
      );
      const empty = await enqueue(
        db,
        onFindings,
        await insertExecution(db, onFindings.id),
        [],
      );
      const found = await enqueue(
        db,
        onFindings,
        await insertExecution(db, onFindings.id, { findings_count: 1 }),
        [transition("still_open", "b")],
      );
      expect([empty.report, found.report]).toEqual(["mode", "enqueued"]);
      const none = await setup(db, projectConfig({ report: { mode: "none" } }));
      const silent = await enqueue(
        db,
        none,
        await insertExecution(db, none.id, { findings_count: 4 }),
        [transition("new", "x")],
      );
      expect(silent.report).toBe("mode");
      expect(await outbox(db, none.id)).toEqual([]);
    },
  );

  dbTest(
    "a project without url_env is not enqueued when no global REPORT_URL is set",
    async ({ db }) => {
      const project = await setup(
        db,
        projectConfig({ report: { mode: "always" } }),
      );
      const execution = await insertExecution(db, project.id);
      const result = await db.transaction().execute((trx) =>
        enqueueReportForExecution(trx, {
          project,
          execution,
          settings: { ...settings, globalReportUrlSet: false },
          now: new Date(),
        }),
      );
      expect(result.report).toBe("no_target");
    },
  );

  dbTest(
    "a failed execution's report lists what is open as still open",
    async ({ db }) => {
      const project = await setup(
        db,
        projectConfig({
          report: { mode: "always", url_env: "VIGIL_SECRET_TEST_REPORT_URL" },
        }),
      );
      const first = await insertExecution(db, project.id);
      await db
        .insertInto("discrepancies")
        .values({
          project_id: project.id,
          fingerprint: "fp-1",
          rule_id: "r",
          finding_key: "k1",
          severity: "medium",
          message: "m",
          first_seen_at: new Date(),
          last_seen_at: new Date(),
          first_execution_id: first.id,
          last_execution_id: first.id,
        })
        .execute();
      const failed = await insertExecution(db, project.id, {
        status: "failed",
        error_message: "exit 1",
      });
      await enqueue(db, project, failed);
      const rows = await outbox(db, project.id);
      const report = ReportSchema.parse(rows.at(-1)?.payload);
      expect(report.execution).toMatchObject({
        status: "failed",
        error_message: "exit 1",
      });
      expect(report.findings.still_open.map((f) => f.key)).toEqual(["k1"]);
      expect(report.findings.new).toEqual([]);
    },
  );

  dbTest(
    "enqueueing the same execution twice keeps one report",
    async ({ db }) => {
      const project = await setup(db, projectConfig());
      const execution = await insertExecution(db, project.id);
      const results = [
        await enqueue(db, project, execution, []),
        await enqueue(db, project, execution, []),
      ];
      expect(results.map((r) => r.report)).toEqual(["enqueued", "duplicate"]);
      expect(await outbox(db, project.id)).toHaveLength(1);
    },
  );
});

describe("failure alerts", () => {
  const alerting = (minIntervalSeconds: number) =>
    projectConfig({
      report: { mode: "none" },
      alert: {
        slack_webhook_env: "VIGIL_SECRET_TEST_ALERT_WEBHOOK",
        min_interval_seconds: minIntervalSeconds,
        after_failures: 1,
        recovery: true,
        on: ["failed", "timeout"],
      },
    });

  dbTest(
    "a failed execution enqueues a Slack-style alert linking to the execution",
    async ({ db }) => {
      const project = await setup(db, alerting(900));
      const execution = await insertExecution(db, project.id, {
        status: "timeout",
        error_message: "no result within 600 s",
      });
      expect((await enqueue(db, project, execution)).alert).toBe("enqueued");
      const [row] = await outbox(db, project.id);
      expect(row).toMatchObject({
        kind: "alert",
        target_env: "VIGIL_SECRET_TEST_ALERT_WEBHOOK",
        idempotency_key: `alert:${execution.id}`,
      });
      expect(row?.payload).toEqual({
        text: `Vigil: ${project.name} (${project.id}) timed out: no result within 600 s. <https://vigil.example.com/executions/${execution.id}|execution ${execution.id}>`,
      });
    },
  );

  dbTest(
    "alerts are sent at most once per project per interval, even from concurrent executors",
    async ({ db }) => {
      const project = await setup(db, alerting(900));
      const executions = await Promise.all(
        Array.from({ length: 6 }, () =>
          insertExecution(db, project.id, { status: "failed" }),
        ),
      );
      const results = await Promise.all(
        executions.map((e) => enqueue(db, project, e)),
      );
      expect(results.filter((r) => r.alert === "enqueued")).toHaveLength(1);
      expect(results.filter((r) => r.alert === "throttled")).toHaveLength(5);
      const success = await enqueue(
        db,
        project,
        await insertExecution(db, project.id),
      );
      // the project had alerted: its first success after that sends one recovery, the next nothing
      expect(success.alert).toBe("recovery");
      const again = await enqueue(
        db,
        project,
        await insertExecution(db, project.id),
      );
      expect(again.alert).toBe("not_configured");
    },
  );

  dbTest(
    "after the interval the next failure alerts again; other projects are not throttled",
    async ({ db }) => {
      const project = await setup(db, alerting(900));
      const other = await setup(db, alerting(900));
      await enqueue(
        db,
        project,
        await insertExecution(db, project.id, { status: "failed" }),
      );
      expect(
        (
          await enqueue(
            db,
            other,
            await insertExecution(db, other.id, { status: "failed" }),
          )
        ).alert,
      ).toBe("enqueued");
      // move the first alert back in time past the interval (the throttle reads created_at on the DB clock)
      await db
        .updateTable("report_outbox")
        .set({ created_at: new Date(Date.now() - 901_000) })
        .where("project_id", "=", project.id)
        .execute();
      expect(
        (
          await enqueue(
            db,
            project,
            await insertExecution(db, project.id, { status: "failed" }),
          )
        ).alert,
      ).toBe("enqueued");
    },
  );

  dbTest(
    "a project that alerts only on timeouts does not alert on a plain failure",
    async ({ db }) => {
      const project = await setup(db, {
        ...alerting(0),
        alert: {
          slack_webhook_env: "VIGIL_SECRET_TEST_ALERT_WEBHOOK",
          min_interval_seconds: 0,
          after_failures: 1,
          recovery: true,
          on: ["timeout"],
        },
      });
      expect(
        (
          await enqueue(
            db,
            project,
            await insertExecution(db, project.id, { status: "failed" }),
          )
        ).alert,
      ).toBe("not_configured");
      expect(
        (
          await enqueue(
            db,
            project,
            await insertExecution(db, project.id, { status: "timeout" }),
          )
        ).alert,
      ).toBe("enqueued");
    },
  );
});
