import type { DiscrepancyTransition } from "@vigil/db";
import { describe, expect, it } from "vitest";

import type { RecordPlan } from "./record-outcome.js";
import { createReportPrecheck } from "./report-precheck.js";

const precheck = createReportPrecheck({ globalReportUrlSet: true });
const base = { data_source: { type: "manual" } };
const success: Pick<RecordPlan, "trigger" | "executionStatus" | "findings"> = {
  trigger: { kind: "finished", status: "succeeded" },
  executionStatus: "success",
  findings: [],
};
const still: DiscrepancyTransition = {
  change: "still_open",
  fingerprint: "fp",
  ruleId: "r",
  findingKey: "k",
  severity: "high",
  previousSeverity: "high",
  status: "muted",
  previousStatus: "muted",
  message: "m",
  occurrences: 2,
  firstSeenAt: new Date(),
  regressions: 0,
  assignee: null,
};

describe("report precheck", () => {
  it("skips the hook for on_change when discrepancies are only found again, and takes it for a transition", () => {
    expect(precheck(base, success, [still])).toBe(false);
    expect(precheck(base, success, [{ ...still, change: "unmuted" }])).toBe(
      true,
    );
  });

  it("takes the hook for every final run of a project with alerts (a success may owe a recovery) and of a digest project", () => {
    const alerting = {
      ...base,
      report: { mode: "none" },
      alert: { slack_webhook_env: "VIGIL_SECRET_ALERT" },
    };
    expect(precheck(alerting, success, [])).toBe(true);
    expect(
      precheck(
        alerting,
        { ...success, trigger: { kind: "retry", delayMs: 10 } },
        [],
      ),
    ).toBe(false);
    expect(precheck({ ...base, report: { digest: "PT1H" } }, success, [])).toBe(
      true,
    );
  });
});
