import type { z } from "zod";

import { SEVERITY_LEVELS } from "./entities.js";
import {
  REPORT_GROUPS,
  REPORT_MAX_FINDINGS_PER_GROUP,
  REPORT_VERSION,
  type Report,
  type ReportExecutionStatusSchema,
  type ReportFinding,
  type ReportGroup,
  type SeverityCounts,
} from "./report.js";

/** Discrepancy changes of one execution (or of a digest's executions), as the report groups them. */
export type DiscrepancyChanges = Record<ReportGroup, ReportFinding[]>;

export function emptyDiscrepancyChanges(): DiscrepancyChanges {
  return Object.fromEntries(
    REPORT_GROUPS.map((g) => [g, []]),
  ) as unknown as DiscrepancyChanges;
}

/** Set for a digest report: what it covers. */
export interface DigestInfo {
  interval: string;
  firstExecutionId: number;
  lastExecutionId: number;
  executions: number;
  /** When the previous digest was sent; null for the first. */
  since: Date | null;
}

export interface BuildReportInput {
  idempotencyKey: string;
  project: { id: string; name: string };
  execution: {
    id: number;
    status: z.infer<typeof ReportExecutionStatusSchema>;
    attempt: number;
    scheduledFor: Date;
    startedAt: Date | null;
    finishedAt: Date | null;
    durationMs: number | null;
    windowStart: Date | null;
    windowEnd: Date | null;
    findingsCount: number;
    /** `executions.findings_truncated`. */
    findingsTruncated: number;
    errorMessage: string | null;
    /** The execution's `rule_results` as stored; the failed ones become `rule_errors`. */
    ruleResults: readonly unknown[];
  };
  changes: DiscrepancyChanges;
  /** Set when this report is a digest of several executions. */
  digest?: DigestInfo;
  /** PUBLIC_URL of the API; null leaves `execution.url` null. */
  publicUrl: string | null;
  generatedAt: Date;
  /** @default REPORT_MAX_FINDINGS_PER_GROUP */
  maxFindingsPerGroup?: number;
}

const iso = (d: Date | null): string | null =>
  d === null ? null : d.toISOString();

function countBySeverity(...groups: ReportFinding[][]): SeverityCounts {
  const counts: SeverityCounts = {
    info: 0,
    low: 0,
    medium: 0,
    high: 0,
    critical: 0,
  };
  for (const group of groups) {
    for (const f of group) {
      counts[f.severity] += 1;
    }
  }
  return counts;
}

function mapGroups<T>(f: (g: ReportGroup) => T): Record<ReportGroup, T> {
  return Object.fromEntries(REPORT_GROUPS.map((g) => [g, f(g)])) as Record<
    ReportGroup,
    T
  >;
}

/** Most severe first, then by rule and key, so a capped list keeps what matters most. */
function sortFindings(findings: ReportFinding[]): ReportFinding[] {
  const rank = (s: ReportFinding["severity"]) =>
    SEVERITY_LEVELS.length - SEVERITY_LEVELS.indexOf(s);
  return [...findings].sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      a.rule_id.localeCompare(b.rule_id) ||
      a.key.localeCompare(b.key),
  );
}

/**
 * The failed rules of stored `rule_results` (`{ ruleId, status, error }` per rule, as the
 * executor records them); entries of another shape are skipped, never guessed at.
 */
export function ruleErrorsOf(
  ruleResults: readonly unknown[],
): Array<{ rule_id: string; message: string }> {
  const errors: Array<{ rule_id: string; message: string }> = [];
  for (const r of ruleResults) {
    if (typeof r !== "object" || r === null) {
      continue;
    }
    const { ruleId, status, error } = r as Record<string, unknown>;
    if (status === "error" && typeof ruleId === "string") {
      errors.push({
        rule_id: ruleId,
        message: typeof error === "string" ? error : "failed",
      });
    }
  }
  return errors;
}

/** The rules of stored `rule_results` that dropped findings past the cap (`findingsTruncated`). */
export function truncatedRulesOf(
  ruleResults: readonly unknown[],
): Array<{ rule_id: string; findings_truncated: number }> {
  const truncated: Array<{ rule_id: string; findings_truncated: number }> = [];
  for (const r of ruleResults) {
    if (typeof r !== "object" || r === null) {
      continue;
    }
    const { ruleId, findingsTruncated } = r as Record<string, unknown>;
    if (
      typeof ruleId === "string" &&
      typeof findingsTruncated === "number" &&
      findingsTruncated > 0
    ) {
      truncated.push({
        rule_id: ruleId,
        findings_truncated: findingsTruncated,
      });
    }
  }
  return truncated;
}

/** Builds the version-1 report from plain values (pure: the clock comes in as `generatedAt`). */
export function buildReport(input: BuildReportInput): Report {
  const cap = input.maxFindingsPerGroup ?? REPORT_MAX_FINDINGS_PER_GROUP;
  const { changes, execution: e } = input;
  const capped = (group: ReportFinding[]) => sortFindings(group).slice(0, cap);
  return {
    v: REPORT_VERSION,
    id: input.idempotencyKey,
    project: { id: input.project.id, name: input.project.name },
    execution: {
      id: e.id,
      status: e.status,
      attempt: e.attempt,
      scheduled_for: e.scheduledFor.toISOString(),
      started_at: iso(e.startedAt),
      finished_at: iso(e.finishedAt),
      duration_ms: e.durationMs,
      window:
        e.windowStart && e.windowEnd
          ? {
              start: e.windowStart.toISOString(),
              end: e.windowEnd.toISOString(),
            }
          : null,
      findings_count: e.findingsCount,
      findings_truncated: e.findingsTruncated,
      truncated_rules: truncatedRulesOf(e.ruleResults),
      error_message: e.errorMessage,
      rule_errors: ruleErrorsOf(e.ruleResults),
      url: executionUrl(input.publicUrl, e.id),
    },
    findings: {
      ...mapGroups((g) => capped(changes[g])),
      omitted: mapGroups((g) => Math.max(0, changes[g].length - cap)),
    },
    summary: {
      ...mapGroups((g) => changes[g].length),
      open_by_severity: countBySeverity(
        changes.new,
        changes.reopened,
        changes.escalated,
        changes.unmuted,
        changes.still_open,
      ),
      new_by_severity: countBySeverity(changes.new),
      resolved_by_severity: countBySeverity(changes.resolved),
    },
    digest: input.digest
      ? {
          interval: input.digest.interval,
          first_execution_id: input.digest.firstExecutionId,
          last_execution_id: input.digest.lastExecutionId,
          executions: input.digest.executions,
          since: iso(input.digest.since),
        }
      : null,
    generated_at: input.generatedAt.toISOString(),
  };
}

/** `PUBLIC_URL/executions/{id}`, or null without a public URL. */
export function executionUrl(
  publicUrl: string | null,
  executionId: number,
): string | null {
  return publicUrl === null
    ? null
    : `${publicUrl.replace(/\/+$/, "")}/executions/${executionId}`;
}
