import { describe, expect, it } from "vitest";

import { buildReport, emptyDiscrepancyChanges } from "./build-report.js";
import { ReportSchema, type ReportFinding } from "./report.js";

const finding = (
  key: string,
  severity: ReportFinding["severity"],
): ReportFinding => ({
  rule_id: "totals",
  key,
  severity,
  message: `order ${key}`,
  fingerprint: `fp-${key}`,
  first_seen_at: "2026-11-01T00:00:00.000Z",
  occurrences: 1,
});

const input = {
  idempotencyKey: "report:42",
  project: { id: "orders", name: "Orders" },
  execution: {
    id: 42,
    status: "success" as const,
    attempt: 1,
    scheduledFor: new Date("2026-11-22T12:00:00Z"),
    startedAt: new Date("2026-11-22T12:00:01Z"),
    finishedAt: new Date("2026-11-22T12:00:03Z"),
    durationMs: 2000,
    windowStart: new Date("2026-11-22T11:00:00Z"),
    windowEnd: new Date("2026-11-22T12:00:00Z"),
    findingsCount: 3,
    findingsTruncated: 0,
    errorMessage: null,
    ruleResults: [] as unknown[],
  },
  publicUrl: "https://vigil.example.com/",
  generatedAt: new Date("2026-11-22T12:00:04Z"),
};

describe("buildReport", () => {
  it("builds a version-1 report that its own schema accepts, with a link and the window", () => {
    const report = buildReport({
      ...input,
      changes: { ...emptyDiscrepancyChanges(), new: [finding("a", "low")] },
    });
    expect(ReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      v: 1,
      id: "report:42",
      execution: {
        url: "https://vigil.example.com/executions/42",
        window: {
          start: "2026-11-22T11:00:00.000Z",
          end: "2026-11-22T12:00:00.000Z",
        },
      },
    });
  });

  it("lists the rules that failed, from the stored rule_results, and nothing else", () => {
    const report = buildReport({
      ...input,
      execution: {
        ...input.execution,
        status: "partial",
        ruleResults: [
          { ruleId: "ok-rule", status: "ok", durationMs: 3, findings: 1 },
          {
            ruleId: "broken",
            status: "error",
            durationMs: 1,
            findings: 0,
            error: "TypeError: r.amount is undefined (line 3, column 9)",
          },
          "not a rule result",
        ],
      },
      changes: emptyDiscrepancyChanges(),
    });
    expect(ReportSchema.parse(report).execution.rule_errors).toEqual([
      {
        rule_id: "broken",
        message: "TypeError: r.amount is undefined (line 3, column 9)",
      },
    ]);
  });

  it("says how many findings past the per-rule cap were dropped, in all and by rule", () => {
    const report = buildReport({
      ...input,
      execution: {
        ...input.execution,
        findingsTruncated: 7,
        ruleResults: [
          {
            ruleId: "floods",
            status: "ok",
            durationMs: 3,
            findings: 10,
            findingsTruncated: 7,
          },
          { ruleId: "quiet", status: "ok", durationMs: 1, findings: 0 },
        ],
      },
      changes: emptyDiscrepancyChanges(),
    });
    const { execution } = ReportSchema.parse(report);
    expect(execution.findings_truncated).toBe(7);
    expect(execution.truncated_rules).toEqual([
      { rule_id: "floods", findings_truncated: 7 },
    ]);
    expect(
      buildReport({ ...input, changes: emptyDiscrepancyChanges() }),
    ).toMatchObject({
      execution: { findings_truncated: 0, truncated_rules: [] },
    });
  });

  it("caps each group, most severe first, while the summary still counts everything", () => {
    const many = [
      finding("x", "info"),
      finding("y", "critical"),
      finding("z", "medium"),
    ];
    const report = buildReport({
      ...input,
      changes: {
        ...emptyDiscrepancyChanges(),
        new: many,
        resolved: [finding("r", "high")],
      },
      maxFindingsPerGroup: 2,
    });
    expect(report.findings.new.map((f) => f.key)).toEqual(["y", "z"]);
    expect(report.findings.omitted).toEqual({
      new: 1,
      reopened: 0,
      escalated: 0,
      unmuted: 0,
      still_open: 0,
      resolved: 0,
      expired: 0,
    });
    expect(report.summary).toMatchObject({
      new: 3,
      resolved: 1,
      open_by_severity: { info: 1, low: 0, medium: 1, high: 0, critical: 1 },
      resolved_by_severity: {
        info: 0,
        low: 0,
        medium: 0,
        high: 1,
        critical: 0,
      },
    });
  });
});
