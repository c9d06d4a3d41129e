import { z } from "zod";

import {
  ProjectIdSchema,
  SEVERITY_LEVELS,
  SeveritySchema,
} from "./entities.js";
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

/** One row of `GET /executions/{id}/deliveries` and `GET /reports/dead`. */
export const ReportDeliverySchema = z
  .object({
    id: z.number().int(),
    project_id: z.string(),
    execution_id: z.number().int().nullable(),
    kind: z.enum(["report", "alert"]),
    idempotency_key: z.string(),
    /** The env var naming the URL (never the URL), or null for the global REPORT_URL. */
    target_env: z.string().nullable(),
    /** Where this row goes: a project's channel, or `default` (report.url_env / REPORT_URL, alert.slack_webhook_env). */
    channel: z.object({
      name: z.string(),
      kind: z.enum(["webhook", "slack", "email"]),
    }),
    status: z.enum(["pending", "delivering", "delivered", "dead"]),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    next_attempt_at: z.string(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    delivered_at: z.string().nullable(),
    dead_at: z.string().nullable(),
    created_at: z.string(),
    attempt_log: z.array(
      z.object({
        attempt: z.number().int(),
        worker_id: z.string().nullable(),
        started_at: z.string(),
        latency_ms: z.number().int().nullable(),
        status_code: z.number().int().nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "ReportDelivery" });
export type ReportDelivery = z.infer<typeof ReportDeliverySchema>;

/** `GET /executions/{id}/deliveries`: the execution's report and alert, each with its attempt log. */
export const ExecutionDeliveriesResponseSchema = z
  .object({ items: z.array(ReportDeliverySchema) })
  .meta({ id: "ExecutionDeliveries" });

/** `GET /reports/dead` query: newest first, keyset pagination. */
export const DeadLetterQuerySchema = z
  .object({
    project_id: ProjectIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,64}$/,
        "expected a cursor returned by a previous page",
      )
      .optional(),
  })
  .strict();

export const DeadLetterListResponseSchema = z
  .object({
    items: z.array(ReportDeliverySchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: "DeadLetterList" });
