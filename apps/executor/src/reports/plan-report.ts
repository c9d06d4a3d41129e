import {
  emptyDiscrepancyChanges,
  REPORT_TRANSITION_GROUPS,
  type BuildReportInput,
  type DiscrepancyChanges,
  type ProjectConfig,
  type ReportFinding,
} from "@vigil/contracts";
import type { ReportContext, ReportDiscrepancy } from "@vigil/db";

export type FinalExecutionStatus =
  "success" | "partial" | "failed" | "cancelled" | "timeout" | "lost";

/**
 * Whether a project's report mode asks for a report of this execution.
 * - `always`: every finished execution (cancelled ones too, so receivers see gaps).
 * - `on_findings`: the execution found something.
 * - `on_change`: a discrepancy changed state: new, reopened, escalated, unmuted, resolved or
 *   expired. Discrepancies found again unchanged (`still_open`, acknowledged and muted ones
 *   included) never send one.
 * - `none`: never.
 */
export function shouldSendReport(
  mode: ProjectConfig["report"]["mode"],
  {
    changes,
    findingsCount,
  }: { changes: DiscrepancyChanges; findingsCount: number },
): boolean {
  switch (mode) {
    case "always":
      return true;
    case "on_findings":
      return findingsCount > 0;
    case "on_change":
      return hasTransitions(changes);
    case "none":
      return false;
    default: {
      const never: never = mode;
      throw new Error(`unknown report mode ${String(never)}`);
    }
  }
}

/** Whether any group but `still_open` lists something. */
export function hasTransitions(changes: DiscrepancyChanges): boolean {
  return REPORT_TRANSITION_GROUPS.some((g) => changes[g].length > 0);
}

type AlertConfig = NonNullable<ProjectConfig["alert"]>;
type AlertingStatus = "failed" | "timeout" | "partial";

/**
 * How a final run counts for the project's alerts: a failure (its status is in `alert.on`), a
 * success (`success`, or `partial` when `on` does not list it), or neither (null: cancelled,
 * lost, or a failure status the project does not alert on), which leaves the count as it is.
 */
export function classifyForAlerts(
  alert: AlertConfig,
  status: FinalExecutionStatus,
): { kind: "failure"; status: AlertingStatus } | "success" | null {
  if (
    (status === "failed" || status === "timeout" || status === "partial") &&
    alert.on.includes(status)
  ) {
    return { kind: "failure", status };
  }
  return status === "success" || status === "partial" ? "success" : null;
}

/**
 * Groups discrepancy transitions (from `updateDiscrepancies`) as the report lists them: each
 * transition kind is its own group (`DiscrepancyTransitionKind` and the report's groups share
 * their names), so a receiver can tell a regression from a first sighting.
 */
export function groupDiscrepancyChanges(
  transitions: readonly ReportDiscrepancy[],
): DiscrepancyChanges {
  const groups = emptyDiscrepancyChanges();
  for (const t of transitions) {
    groups[t.change].push(toReportFinding(t));
  }
  return groups;
}

export function toReportFinding(t: ReportDiscrepancy): ReportFinding {
  return {
    rule_id: t.ruleId,
    key: t.findingKey,
    severity: t.severity,
    message: t.message,
    fingerprint: t.fingerprint,
    first_seen_at: new Date(t.firstSeenAt).toISOString(),
    occurrences: t.occurrences,
    previous_severity: t.previousSeverity,
  };
}

/** Slack-compatible incoming-webhook body: `{ text }`, short, with a link to the execution. */
export function buildAlertBody({
  projectId,
  projectName,
  executionId,
  status,
  errorMessage,
  url,
  consecutiveFailures = 1,
}: {
  projectId: string;
  projectName: string;
  executionId: number;
  status: AlertingStatus;
  errorMessage: string | null;
  url: string | null;
  /** Final runs in a row that failed; above 1 the text says so. @default 1 */
  consecutiveFailures?: number;
}): { text: string } {
  const what =
    status === "timeout"
      ? "timed out"
      : status === "partial"
        ? "ran with rule errors"
        : "failed";
  const reason = errorMessage
    ? `: ${errorMessage.length > 300 ? `${errorMessage.slice(0, 300)}…` : errorMessage}`
    : "";
  const link = url
    ? ` <${url}|execution ${executionId}>`
    : ` (execution ${executionId})`;
  const streak =
    consecutiveFailures > 1 ? ` (${consecutiveFailures} runs in a row)` : "";
  return {
    text: `Vigil: ${projectName} (${projectId}) ${what}${streak}${reason}.${link}`,
  };
}

/** The recovery alert: same shape as the failure alert, once per alerting episode. */
export function buildRecoveryBody({
  projectId,
  projectName,
  executionId,
  alertExecutionId,
  url,
}: {
  projectId: string;
  projectName: string;
  executionId: number;
  /** The execution whose failure alerted, if known. */
  alertExecutionId: number | null;
  url: string | null;
}): { text: string } {
  const since =
    alertExecutionId === null
      ? ""
      : ` after the failure alert of execution ${alertExecutionId}`;
  const link = url
    ? ` <${url}|execution ${executionId}>`
    : ` (execution ${executionId})`;
  return {
    text: `Vigil: ${projectName} (${projectId}) recovered: a run succeeded again${since}.${link}`,
  };
}

/** A stored execution as `buildReport` takes it, with its final status. */
export function reportExecution(
  e: ReportContext["execution"],
  status: BuildReportInput["execution"]["status"],
): BuildReportInput["execution"] {
  return {
    id: e.id,
    status,
    attempt: e.attempt,
    scheduledFor: new Date(e.scheduled_for),
    startedAt: e.started_at && new Date(e.started_at),
    finishedAt: e.finished_at && new Date(e.finished_at),
    durationMs: e.duration_ms,
    windowStart: e.window_start && new Date(e.window_start),
    windowEnd: e.window_end && new Date(e.window_end),
    findingsCount: e.findings_count,
    findingsTruncated: e.findings_truncated,
    errorMessage: e.error_message,
    ruleResults: e.rule_results,
  };
}
