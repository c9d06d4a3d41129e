import { ReportSchema, type Report } from "@vigil/contracts";
import { claimDueTriggers, type Db } from "@vigil/db";
import { dbTest, insertProject, insertTriggers } from "@vigil/db/testing";
import { sql } from "kysely";
import { describe, expect } from "vitest";

import type {
  RecordedFinding,
  RunEvidence,
  RunOutcome,
} from "@vigil/detector-run";
import { recordOutcome } from "../src/record-outcome.js";
import { createDigestLoop } from "../src/reports/digest-loop.js";
import { createReportAfterRecord } from "../src/reports/wiring.js";
import { projectConfig, testLogger } from "./reports-helpers.js";

// Reports and alerts on transitions, through the executor's real record transaction (the same
// afterRecord hook main.ts wires) on a real database.

const settings = {
  maxAttempts: 10,
  publicUrl: null,
  globalReportUrlSet: false,
};
const afterRecord = createReportAfterRecord({ logger: testLogger, settings });
const URL_ENV = "VIGIL_SECRET_TEST_REPORT_URL";
const ALERT_ENV = "VIGIL_SECRET_TEST_ALERT_WEBHOOK";

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

const succeeded = (
  findings: RecordedFinding[],
  evidence?: RunEvidence,
): RunOutcome => ({
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
  details: evidence ? { evidence } : {},
});

const failed: RunOutcome = {
  kind: "failed",
  message: "exit code 1",
  details: {},
};

async function runOnce(db: Db, projectId: string, outcome: RunOutcome) {
  await insertTriggers(db, projectId, 1);
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

async function reports(db: Db, projectId: string): Promise<Report[]> {
  const rows = await db
    .selectFrom("report_outbox")
    .select("payload")
    .where("project_id", "=", projectId)
    .where("kind", "=", "report")
    .orderBy("id")
    .execute();
  return rows.map((r) => ReportSchema.parse(r.payload));
}

/** Each transition group of a report as `group:key`, sorted; still_open apart. */
function transitionsOf(report: Report | undefined): string[] {
  if (!report) {
    return [];
  }
  const { still_open: _still, omitted: _omitted, ...groups } = report.findings;
  return Object.entries(groups)
    .flatMap(([group, list]) => list.map((f) => `${group}:${f.key}`))
    .sort();
}

describe("reports on transitions", () => {
  dbTest(
    "a report after each run of a changing data set carries exactly its transitions, and on_change is silent when nothing changed or only acknowledged and muted ones are found again",
    async ({ db }) => {
      const project = await insertProject(db, {
        config: projectConfig({
          report: { mode: "on_change", url_env: URL_ENV },
        }),
      });
      const reportOf = async (executionId: number) =>
        (await reports(db, project.id)).find(
          (r) => r.execution.id === executionId,
        );
      const keyed = (keys: string[]): RunEvidence => ({
        rowKeys: keys,
        expireAfter: { iso: "PT1H", seconds: 3600 },
      });

      const r1 = await runOnce(
        db,
        project.id,
        succeeded(
          [finding("a"), finding("b", "low"), finding("c")],
          keyed(["a", "b", "c", "d"]),
        ),
      );
      expect(transitionsOf(await reportOf(r1))).toEqual([
        "new:a",
        "new:b",
        "new:c",
      ]);

      // a is fixed; b escalates; d is new; c is not read (and not resolved)
      const r2 = await runOnce(
        db,
        project.id,
        succeeded(
          [finding("b", "critical"), finding("d")],
          keyed(["a", "b", "d"]),
        ),
      );
      const report2 = await reportOf(r2);
      expect(transitionsOf(report2)).toEqual([
        "escalated:b",
        "new:d",
        "resolved:a",
      ]);
      expect(report2?.findings.escalated[0]).toMatchObject({
        severity: "critical",
        previous_severity: "low",
      });

      // the same again: nothing changed, no report
      const r3 = await runOnce(
        db,
        project.id,
        succeeded(
          [finding("b", "critical"), finding("d")],
          keyed(["a", "b", "d"]),
        ),
      );
      expect(await reportOf(r3)).toBeUndefined();

      // someone acknowledges b and mutes d for a day: found again, they stay quiet
      await db
        .updateTable("discrepancies")
        .set({ status: "acknowledged" })
        .where("project_id", "=", project.id)
        .where("fingerprint", "=", "fp-b")
        .execute();
      await db
        .updateTable("discrepancies")
        .set({
          status: "muted",
          muted_until: sql<Date>`now() + interval '1 day'`,
        })
        .where("project_id", "=", project.id)
        .where("fingerprint", "=", "fp-d")
        .execute();
      const r4 = await runOnce(
        db,
        project.id,
        succeeded(
          [finding("b", "critical"), finding("d")],
          keyed(["a", "b", "d"]),
        ),
      );
      expect(await reportOf(r4)).toBeUndefined();

      // a is back (a regression), d's mute has run out while it still fails, c's row has not
      // been read for longer than expire_after
      await db
        .updateTable("discrepancies")
        .set({ muted_until: sql<Date>`now() - interval '1 second'` })
        .where("project_id", "=", project.id)
        .where("fingerprint", "=", "fp-d")
        .execute();
      await db
        .updateTable("discrepancies")
        .set({ last_evaluated_at: sql<Date>`now() - interval '2 hours'` })
        .where("project_id", "=", project.id)
        .where("fingerprint", "=", "fp-c")
        .execute();
      const r5 = await runOnce(
        db,
        project.id,
        succeeded(
          [finding("a"), finding("b", "critical"), finding("d")],
          keyed(["a", "b", "d"]),
        ),
      );
      const report5 = await reportOf(r5);
      expect(transitionsOf(report5)).toEqual([
        "expired:c",
        "reopened:a",
        "unmuted:d",
      ]);
      expect(report5?.findings.still_open.map((f) => f.key)).toEqual(["b"]);
      expect(report5?.summary).toMatchObject({
        new: 0,
        reopened: 1,
        unmuted: 1,
        still_open: 1,
        expired: 1,
      });
      expect(
        (await reports(db, project.id)).map((r) => r.execution.id),
      ).toEqual([r1, r2, r5]);
    },
  );

  dbTest(
    "a digest sends at most one report per interval, carrying every transition since the last one",
    async ({ db }) => {
      const project = await insertProject(db, {
        config: projectConfig({
          report: { mode: "on_change", url_env: URL_ENV, digest: "PT1H" },
        }),
      });
      const loop = createDigestLoop({ db, logger: testLogger, settings });

      // the first digest is due at once: the run's own transaction enqueues it
      const r1 = await runOnce(
        db,
        project.id,
        succeeded([finding("a"), finding("b", "low")]),
      );
      let sent = await reports(db, project.id);
      expect(sent).toHaveLength(1);
      expect(transitionsOf(sent[0])).toEqual(["new:a", "new:b"]);
      expect(sent[0]?.digest).toMatchObject({
        first_execution_id: r1,
        last_execution_id: r1,
        executions: 1,
      });

      // within the hour: more transitions, no report, and a flush finds nothing due
      const r2 = await runOnce(
        db,
        project.id,
        succeeded([finding("b", "low"), finding("c")]),
      );
      await runOnce(
        db,
        project.id,
        succeeded([finding("b", "high"), finding("c")]),
      );
      const r4 = await runOnce(db, project.id, failed);
      expect(await loop.flushOnce()).toBe(0);
      expect(await reports(db, project.id)).toHaveLength(1);

      // the hour passes with no run: the flush sends one digest with all of r2..r4's transitions,
      // however many executors flush at once
      await db
        .updateTable("report_digests")
        .set({ last_sent_at: sql<Date>`last_sent_at - interval '61 minutes'` })
        .where("project_id", "=", project.id)
        .execute();
      const other = createDigestLoop({ db, logger: testLogger, settings });
      const flushed = await Promise.all([loop.flushOnce(), other.flushOnce()]);
      expect(flushed.reduce((a, b) => a + b, 0)).toBe(1);
      sent = await reports(db, project.id);
      expect(sent).toHaveLength(2);
      const digest = sent[1];
      expect(transitionsOf(digest)).toEqual([
        "escalated:b",
        "new:c",
        "resolved:a",
      ]);
      expect(digest?.findings.still_open).toEqual([]);
      expect(digest?.digest).toMatchObject({
        first_execution_id: r2,
        last_execution_id: r4,
        executions: 3,
        interval: "PT1H",
      });
      expect(digest?.execution).toMatchObject({ id: r4, status: "failed" });
      expect(digest?.id).toBe(`digest:${project.id}:2`);

      // a run right after: the next digest waits for the next interval
      await runOnce(db, project.id, succeeded([finding("c")]));
      expect(await loop.flushOnce()).toBe(0);
      expect(await reports(db, project.id)).toHaveLength(2);
    },
  );
});

describe("failure and recovery alerts", () => {
  dbTest(
    "N consecutive failed runs alert once, and the first success after that sends one recovery",
    async ({ db }) => {
      const project = await insertProject(db, {
        config: projectConfig({
          report: { mode: "none" },
          alert: {
            slack_webhook_env: ALERT_ENV,
            min_interval_seconds: 900,
            on: ["failed", "timeout"],
            after_failures: 3,
            recovery: true,
          },
        }),
      });
      const alerts = () =>
        db
          .selectFrom("report_outbox")
          .select(["execution_id", "idempotency_key", "payload"])
          .where("project_id", "=", project.id)
          .where("kind", "=", "alert")
          .orderBy("id")
          .execute();

      // two failures, a success, two failures: never three in a row
      await runOnce(db, project.id, failed);
      await runOnce(db, project.id, failed);
      await runOnce(db, project.id, succeeded([]));
      await runOnce(db, project.id, failed);
      await runOnce(db, project.id, failed);
      expect(await alerts()).toEqual([]);

      const third = await runOnce(db, project.id, failed);
      await runOnce(db, project.id, failed);
      await runOnce(db, project.id, failed);
      const recovered = await runOnce(
        db,
        project.id,
        succeeded([finding("a")]),
      );
      await runOnce(db, project.id, succeeded([]));
      const sent = await alerts();
      expect(sent.map((a) => a.idempotency_key)).toEqual([
        `alert:${third}`,
        `recovery:${recovered}`,
      ]);
      expect((sent[0]?.payload as { text: string }).text).toContain(
        "failed (3 runs in a row)",
      );
      expect((sent[1]?.payload as { text: string }).text).toContain(
        `recovered: a run succeeded again after the failure alert of execution ${third}`,
      );
      const state = await db
        .selectFrom("project_alert_states")
        .selectAll()
        .where("project_id", "=", project.id)
        .executeTakeFirstOrThrow();
      expect(state).toMatchObject({
        consecutive_failures: 0,
        alerted_at: null,
      });
    },
  );
});
