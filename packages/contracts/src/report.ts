import { z } from "zod";

import { SeveritySchema } from "./entities.js";
import { ExecutionStatusSchema } from "./api/execution-status.js";

/**
 * The report Vigil POSTs after an execution (apps/executor/src/reports/README.md).
 *
 * Version 1. Receivers should check `v` and ignore fields they do not know: later versions
 * only add fields; a breaking change gets a new `v`. Findings lists are capped per group
 * (`REPORT_MAX_FINDINGS_PER_GROUP`); the `summary` counts are always complete, and
 * `findings.omitted` says how many entries each capped group left out.
 */
export const REPORT_VERSION = 1;
export const REPORT_MAX_FINDINGS_PER_GROUP = 500;

/**
 * The groups a report lists, one per transition kind, plus `still_open` (tracked, seen again,
 * nothing changed). Every group but `still_open` is a transition: `on_change` sends only for those.
 */
export const REPORT_GROUPS = [
  "new",
  "reopened",
  "escalated",
  "unmuted",
  "still_open",
  "resolved",
  "expired",
] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];
export const REPORT_TRANSITION_GROUPS = REPORT_GROUPS.filter(
  (g): g is Exclude<ReportGroup, "still_open"> => g !== "still_open",
);

export const ReportFindingSchema = z.object({
  rule_id: z.string(),
  key: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  fingerprint: z.string(),
  /** When this discrepancy was first seen (ISO 8601). */
  first_seen_at: z.string(),
  /** How many executions have seen it. */
  occurrences: z.number().int().min(1),
  /** The severity before this transition; equal to `severity` unless it changed (escalated). */
  previous_severity: SeveritySchema.optional(),
});
export type ReportFinding = z.infer<typeof ReportFindingSchema>;

const SeverityCountsSchema = z.object({
  info: z.number().int().min(0),
  low: z.number().int().min(0),
  medium: z.number().int().min(0),
  high: z.number().int().min(0),
  critical: z.number().int().min(0),
});
export type SeverityCounts = z.infer<typeof SeverityCountsSchema>;

/** A report is about a finished execution: any status but pending and running. */
export const ReportExecutionStatusSchema = ExecutionStatusSchema.exclude([
  "pending",
  "running",
]);

function groupShape<T extends z.ZodType>(item: T): Record<ReportGroup, T> {
  return Object.fromEntries(REPORT_GROUPS.map((g) => [g, item])) as Record<
    ReportGroup,
    T
  >;
}

export const ReportSchema = z.object({
  v: z.literal(REPORT_VERSION),
  /** Equal to the `Idempotency-Key` header: stable across retries of this report. */
  id: z.string(),
  project: z.object({ id: z.string(), name: z.string() }),
  execution: z.object({
    id: z.number().int(),
    status: ReportExecutionStatusSchema,
    attempt: z.number().int().min(1),
    scheduled_for: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    duration_ms: z.number().int().nullable(),
    window: z.object({ start: z.string(), end: z.string() }).nullable(),
    findings_count: z.number().int().min(0),
    /**
     * Findings the rules returned past the project's `max_findings_per_rule`, dropped: not in
     * `findings_count` nor any group, and none of those rules' discrepancies resolved by this run.
     */
    findings_truncated: z.number().int().min(0),
    /** The rules whose findings were cut at the cap, with how many each dropped. */
    truncated_rules: z.array(
      z.object({ rule_id: z.string(), findings_truncated: z.number().int() }),
    ),
    error_message: z.string().nullable(),
    /** The rules that failed in this run (a `partial` or `failed` run), each with its error. */
    rule_errors: z.array(
      z.object({ rule_id: z.string(), message: z.string() }),
    ),
    /** Link to the execution in the API, when PUBLIC_URL is set. */
    url: z.string().nullable(),
  }),
  findings: z.object({
    ...groupShape(z.array(ReportFindingSchema)),
    omitted: z.object(groupShape(z.number().int())),
  }),
  summary: z.object({
    ...groupShape(z.number().int().min(0)),
    /** Tracked after this report (every group but resolved and expired), by severity. */
    open_by_severity: SeverityCountsSchema,
    new_by_severity: SeverityCountsSchema,
    resolved_by_severity: SeverityCountsSchema,
  }),
  /**
   * Set on a digest (`report.digest`): the executions it covers. `execution` is then the last of
   * them; each group holds every transition of those executions, once per discrepancy.
   */
  digest: z
    .object({
      interval: z.string(),
      first_execution_id: z.number().int(),
      last_execution_id: z.number().int(),
      executions: z.number().int().min(1),
      since: z.string().nullable(),
    })
    .nullable()
    .optional(),
  generated_at: z.string(),
});
export type Report = z.infer<typeof ReportSchema>;
