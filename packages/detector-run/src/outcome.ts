import type { ExecutionStatus } from "@vigil/db";

import type { CapturedInput } from "./capture-input.js";

/**
 * Why a run was stopped from outside. `database_error`: the control database failed under the run
 * (a restart, a terminated connection); like a shutdown it hands the trigger back unspent.
 */
export type CancelReason = "lease_lost" | "shutdown" | "database_error";

/** What the detector process did; absent when no process was started. */
export interface ProcessSummary {
  exitCode: number | null;
  signal: string | null;
  stdoutTail: string;
  stderrTail: string;
  stdoutBytes: number;
  stderrBytes: number;
}

/** Facts about a run that every outcome may carry, for the execution row. */
export interface RunDetails {
  detectorHash?: string;
  rowCount?: number;
  /** What the run can tell about its project's discrepancies, once its rows are read. */
  evidence?: RunEvidence;
  window?: { start: Date; end: Date };
  process?: ProcessSummary;
  /** Which sandbox layers held for the detector process (`executions.sandbox`). */
  sandbox?: Readonly<Record<string, boolean>>;
  /** The loaded input, compressed, when the run was asked to keep it (execution_inputs). */
  input?: CapturedInput;
}

/** The facts `updateDiscrepancies` weighs a run's findings with (packages/db/src/queries/discrepancies/update.ts). */
export interface RunEvidence {
  /** The distinct keys of the rows read (`data_source.key`); null when the source names no key. */
  rowKeys: readonly string[] | null;
  /** `discrepancies.expire_after`; null: never. */
  expireAfter: { iso: string; seconds: number } | null;
}

/** One finding as recorded: fingerprint = sha256(ruleId + "\0" + key). */
export interface RecordedFinding {
  ruleId: string;
  key: string;
  /** The input row it is about, as the rule said (`row_key`); unset: its key. */
  rowKey?: string;
  fingerprint: string;
  severity: "info" | "low" | "medium" | "high" | "critical";
  message: string;
  data?: unknown;
}

/** One rule's result, stored in executions.rule_results. */
export interface RuleSummary {
  ruleId: string;
  definitionId: string | null;
  status: "ok" | "error";
  durationMs: number;
  findings: number;
  /** Findings dropped past the project's `max_findings_per_rule` (the first that many are kept); absent: none. */
  findingsTruncated?: number;
  error?: string;
  /** Where in the rule's code the error was thrown (1-based), when its stack says. */
  line?: number;
  column?: number;
}

/** The rule a timed-out detector was running, from its run folder's `running-rule` file. */
export interface RunningRule {
  ruleId: string;
  definitionId: string | null;
  /** From the rule's start (the file's mtime) to the kill. */
  runningMs: number;
}

/** Everything a run can end with. Expected outcomes are values, never exceptions (STYLE 10). */
export type RunOutcome =
  | {
      kind: "succeeded";
      findings: RecordedFinding[];
      rules: RuleSummary[];
      details: RunDetails;
    }
  | { kind: "failed"; message: string; details: RunDetails }
  | {
      kind: "timed_out";
      afterMs: number;
      /** The rule that was running when the process was killed; unset: none had started. */
      runningRule?: RunningRule;
      details: RunDetails;
    }
  | {
      kind: "cancelled";
      reason: CancelReason;
      /** What went wrong, for `database_error`. */
      message?: string;
      details: RunDetails;
    }
  | {
      kind: "rejected";
      reason:
        | "invalid_rules"
        | "missing_dependency"
        | "project_missing"
        | "invalid_config"
        | "input_missing";
      detail: string;
      details: RunDetails;
    };

export function cancelReasonOf(signal: AbortSignal): CancelReason {
  return signal.reason === "shutdown" ? "shutdown" : "lease_lost";
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

export function toExecutionStatus(
  o: RunOutcome,
): Exclude<ExecutionStatus, "pending" | "running"> {
  switch (o.kind) {
    case "succeeded":
      return rulesStatus(o.rules);
    case "failed":
    case "rejected":
      return "failed";
    case "timed_out":
      return "timeout";
    case "cancelled":
      return "cancelled";
    default:
      return assertNever(o);
  }
}

/** The message stored as the execution's error (and the trigger's last_error). */
export function describeOutcome(o: RunOutcome): string | null {
  switch (o.kind) {
    case "succeeded":
      return describeRuleErrors(o.rules);
    case "failed":
      return o.message;
    case "timed_out":
      return timeoutMessage(o.afterMs, o.runningRule);
    case "cancelled":
      return describeCancel(o.reason, o.message);
    case "rejected":
      return o.detail;
    default:
      return assertNever(o);
  }
}

/**
 * A run is only a success when every rule ran: a rule that threw or answered a bad shape (a
 * renamed column, say) makes the run `partial`, or `failed` when no rule ran cleanly.
 */
export function rulesStatus(
  rules: readonly RuleSummary[],
): "success" | "partial" | "failed" {
  const failed = rules.filter((r) => r.status === "error").length;
  if (failed === 0) {
    return "success";
  }
  return failed === rules.length ? "failed" : "partial";
}

function timeoutMessage(afterMs: number, running?: RunningRule): string {
  const after = `timed out after ${Math.round(afterMs / 1000)} s`;
  return running === undefined
    ? `detector ${after}`
    : `detector ${after} while running rule ${JSON.stringify(running.ruleId)}`;
}

/**
 * The execution's `rule_results`: every rule's summary when the detector answered; for a timeout,
 * the rule that was running, failed with the timeout (the rules before it ran, but their results
 * died with the process); otherwise none.
 */
export function ruleResultsOf(o: RunOutcome): RuleSummary[] {
  if (o.kind === "succeeded") {
    return o.rules;
  }
  if (o.kind === "timed_out" && o.runningRule !== undefined) {
    const r = o.runningRule;
    return [
      {
        ruleId: r.ruleId,
        definitionId: r.definitionId,
        status: "error",
        durationMs: r.runningMs,
        findings: 0,
        error: `timed out after ${Math.round(o.afterMs / 1000)} s while running rule ${JSON.stringify(r.ruleId)}`,
      },
    ];
  }
  return [];
}

/** Findings dropped past the per-rule cap, over all rules (`executions.findings_truncated`). */
export function findingsTruncatedOf(rules: readonly RuleSummary[]): number {
  return rules.reduce((sum, r) => sum + (r.findingsTruncated ?? 0), 0);
}

/** Longest error_message made of rule errors; each rule's error stays in rule_results whole. */
const MAX_RULE_ERRORS_MESSAGE = 1000;

function describeRuleErrors(rules: readonly RuleSummary[]): string | null {
  const failed = rules.filter((r) => r.status === "error");
  if (failed.length === 0) {
    return null;
  }
  const text = `${failed.length} of ${rules.length} rule(s) failed: ${failed
    .map((r) => `${r.ruleId}: ${r.error ?? "error"}`)
    .join("; ")}`;
  return text.length > MAX_RULE_ERRORS_MESSAGE
    ? `${text.slice(0, MAX_RULE_ERRORS_MESSAGE - 1)}…`
    : text;
}

/** The `outcome` label of vigil_executions_total: the outcome's kind, or what its rules did. */
export function outcomeLabel(o: RunOutcome): string {
  if (o.kind !== "succeeded") {
    return o.kind;
  }
  const status = rulesStatus(o.rules);
  return status === "success"
    ? "succeeded"
    : status === "partial"
      ? "partial"
      : "rules_failed";
}

function describeCancel(reason: CancelReason, message?: string): string {
  switch (reason) {
    case "shutdown":
      return "executor shut down; trigger handed back without spending an attempt";
    case "database_error":
      return `the control database failed during the run (${message ?? "connection lost"}); trigger handed back without spending an attempt`;
    case "lease_lost":
      return "lease lost";
    default:
      return assertNever(reason);
  }
}

/**
 * Whether another attempt may help. A crash, a timeout or an unreachable data source may pass;
 * rule code that does not compile or a missing project will not, so those fail at once.
 */
export function isRetryableOutcome(o: RunOutcome): boolean {
  return o.kind === "failed" || o.kind === "timed_out";
}
