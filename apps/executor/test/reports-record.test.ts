import { ReportSchema, type Report } from "@vigil/contracts";
import { claimDueTriggers, type Db } from "@vigil/db";
import { dbTest, insertProject, insertTriggers } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import type { RecordedFinding, RunOutcome } from "@vigil/detector-run";
import { recordOutcome } from "../src/record-outcome.js";
import { createReportAfterRecord } from "../src/reports/wiring.js";
import { projectConfig, testLogger } from "./reports-helpers.js";

const afterRecord = createReportAfterRecord({
  logger: testLogger,
  settings: {
    maxAttempts: 10,
    publicUrl: "https://vigil.example.com",
    globalReportUrlSet: false,
  },
});

const finding = (
  key: string,
  severity: RecordedFinding["severity"] = "high",
): RecordedFinding => ({
  ruleId: "totals",
  key,
  fingerprint: `fp-${key}`,
  severity,
  message: `order ${key} is off`,
});

/** One trigger run end to end through the executor's real record transaction. */
async function runOnce(
  db: Db,
  projectId: string,
  outcome: RunOutcome,
  { newTrigger = true } = {},
) {
  if (newTrigger) {
    await insertTriggers(db, projectId, 1);
  }
  const { claimed } = await claimDueTriggers(db, {
    workerId: "w-test",
    leaseSeconds: 30,
    limit: 1,
  });
  const claim = claimed[0];
  if (!claim) {
    throw new Error("nothing claimed");
  }
  const { recorded } = await recordOutcome({
    db,
    claim,
    workerId: "w-test",
    outcome,
    retryDelayMs: 0,
    afterRecord,
  });
  expect(recorded).toBe(true);
  return claim.executionId;
}

const succeeded = (findings: RecordedFinding[]): RunOutcome => ({
  kind: "succeeded",
  findings,
  rules: [
    {
      ruleId: "totals",
      definitionId: null,
      status: "ok",
      durationMs: 3,
      findings: findings.length,
    },
  ],
  details: {},
});

async function reportOf(
  db: Db,
  executionId: number,
): Promise<Report | undefined> {
  const row = await db
    .selectFrom("report_outbox")
    .select("payload")
    .where("execution_id", "=", executionId)
    .where("kind", "=", "report")
    .executeTakeFirst();
  return row ? ReportSchema.parse(row.payload) : undefined;
}

describe("reports written by the record transaction", () => {
  dbTest(
    "each execution's report says what is new, still open and resolved since the last one",
    async ({ db }) => {
      const project = await insertProject(db, {
        config: projectConfig({
          report: {
            mode: "on_change",
            url_env: "VIGIL_SECRET_TEST_REPORT_URL",
          },
        }),
      });
      const first = await runOnce(
        db,
        project.id,
        succeeded([finding("a"), finding("b", "low")]),
      );
      const second = await runOnce(
        db,
        project.id,
        succeeded([finding("b", "low"), finding("c", "critical")]),
      );
      const third = await runOnce(
        db,
        project.id,
        succeeded([finding("b", "low"), finding("c", "critical")]),
      );

      const r1 = await reportOf(db, first);
      expect(r1?.findings.new.map((f) => f.key).sort()).toEqual(["a", "b"]);
      const r2 = await reportOf(db, second);
      expect({
        new: r2?.findings.new.map((f) => f.key),
        still: r2?.findings.still_open.map((f) => f.key),
        resolved: r2?.findings.resolved.map((f) => f.key),
      }).toEqual({
        new: ["c"],
        still: ["b"],
        resolved: ["a"],
      });
      expect(r2?.summary.open_by_severity).toEqual({
        info: 0,
        low: 1,
        medium: 0,
        high: 0,
        critical: 1,
      });
      expect(r2?.execution).toMatchObject({
        id: second,
        status: "success",
        findings_count: 2,
        url: `https://vigil.example.com/executions/${second}`,
      });
      // nothing changed: on_change stays quiet
      expect(await reportOf(db, third)).toBeUndefined();
    },
  );

  dbTest(
    "a failure alerts once it is final, not while the trigger will be retried",
    async ({ db }) => {
      const project = await insertProject(db, {
        config: projectConfig({
          max_attempts: 2,
          report: { mode: "none" },
          alert: {
            slack_webhook_env: "VIGIL_SECRET_TEST_ALERT_WEBHOOK",
            min_interval_seconds: 0,
            after_failures: 1,
            recovery: true,
            on: ["failed", "timeout"],
          },
        }),
      });
      const retried = await runOnce(db, project.id, {
        kind: "failed",
        message: "exit code 1",
        details: {},
      });
      // the same trigger, second and last attempt
      const final = await runOnce(
        db,
        project.id,
        { kind: "timed_out", afterMs: 600_000, details: {} },
        { newTrigger: false },
      );
      const alerts = await db
        .selectFrom("report_outbox")
        .select(["execution_id", "payload"])
        .where("project_id", "=", project.id)
        .where("kind", "=", "alert")
        .execute();
      expect(alerts.map((a) => a.execution_id)).toEqual([final]);
      expect((alerts[0]?.payload as { text: string }).text).toContain(
        `/executions/${final}`,
      );
      expect(retried).not.toBe(final);
    },
  );
});
