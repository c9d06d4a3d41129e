import { z } from "zod";

import {
  CONCURRENCY_POLICIES,
  MISFIRE_POLICIES,
  SeveritySchema,
} from "../entities.js";
import {
  EXECUTION_STATUSES,
  ExecutionStatusSchema,
} from "./execution-status.js";
import { Instant, NullableInstant, TriggerSource } from "./scalars.js";

/**
 * Response shapes of projects, schedules, rules, executions, findings and discrepancies, for
 * the OpenAPI document and for tests that check the server keeps to them (the operators'
 * routes are in operations-responses.ts). Times are ISO 8601 strings in UTC.
 */

export const ProjectSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    config: z.record(z.string(), z.unknown()),
    is_active: z.boolean(),
    version: z.number(),
    created_at: Instant,
    updated_at: Instant,
  })
  .meta({ id: "Project" });

/** With `include=overview`: what a project list shows beside each project. */
export const ProjectOverviewSchema = z
  .object({
    last_execution: z
      .object({
        id: z.number(),
        status: ExecutionStatusSchema,
        scheduled_for: Instant,
        finished_at: NullableInstant,
      })
      .nullable(),
    next_run: NullableInstant,
    open_discrepancies: z.object({
      critical: z.number(),
      high: z.number(),
      medium: z.number(),
      low: z.number(),
      info: z.number(),
    }),
  })
  .meta({ id: "ProjectOverview" });

export const ProjectListResponseSchema = z
  .object({
    items: z.array(
      ProjectSchema.extend({
        schedules_count: z.number(),
        rules_count: z.number(),
        overview: ProjectOverviewSchema.optional(),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: "ProjectList" });

export const ScheduleSchema = z
  .object({
    id: z.number(),
    project_id: z.string(),
    cron_expression: z.string(),
    timezone: z.string(),
    concurrency_policy: z.enum(CONCURRENCY_POLICIES),
    misfire_policy: z.enum(MISFIRE_POLICIES),
    starting_deadline_seconds: z.number().nullable(),
    is_active: z.boolean(),
    version: z.number(),
    materialized_until: NullableInstant,
    invalid_reason: z.string().nullable(),
    created_at: Instant,
    updated_at: Instant,
  })
  .meta({ id: "Schedule" });

export const ScheduleWithNextRunsSchema = ScheduleSchema.extend({
  /** The next fire times by the trigger-creator's rules; empty when suspended or invalid. */
  next_runs: z.array(Instant),
  problem: z.string().nullable(),
}).meta({ id: "ScheduleWithNextRuns" });

export const RuleSchema = z
  .object({
    id: z.number(),
    project_id: z.string(),
    rule_id: z.string(),
    definition_id: z.string().nullable(),
    description: z.string(),
    category: z.string(),
    severity: SeveritySchema,
    logic: z.string(),
    code: z.string(),
    explanation: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    dependencies: z.array(z.unknown()),
    is_active: z.boolean(),
    created_at: Instant,
    updated_at: Instant,
  })
  .meta({ id: "Rule" });

/** Which isolation layers held for the run's detector process; null when none ran. */
export const SandboxAttestationSchema = z
  .object({
    mount_namespace: z.boolean(),
    pid_namespace: z.boolean(),
    network_namespace: z.boolean(),
    other_uid: z.boolean(),
    memory_cap: z.boolean(),
    disk_cap: z.boolean(),
    process_cap: z.boolean(),
    permission_model: z.boolean(),
  })
  .meta({ id: "SandboxAttestation" });

export const ExecutionSummarySchema = z
  .object({
    id: z.number(),
    trigger_id: z.number().nullable(),
    project_id: z.string(),
    attempt: z.number(),
    status: ExecutionStatusSchema,
    source: TriggerSource,
    scheduled_for: Instant,
    started_at: NullableInstant,
    finished_at: NullableInstant,
    duration_ms: z.number().nullable(),
    exit_code: z.number().nullable(),
    signal: z.string().nullable(),
    error_message: z.string().nullable(),
    findings_count: z.number(),
    findings_truncated: z
      .number()
      .int()
      .describe(
        "Findings the rules returned past the project's max_findings_per_rule, dropped (each rule's count is in its rule_results entry, findingsTruncated); 0: none.",
      ),
    rules_total: z.number(),
    rules_failed: z.number(),
    row_count: z.number().nullable(),
    detector_hash: z.string().nullable(),
    worker_id: z.string().nullable(),
    window_start: NullableInstant,
    window_end: NullableInstant,
    created_at: Instant,
    sandbox: SandboxAttestationSchema.nullable(),
  })
  .meta({ id: "ExecutionSummary" });

export const ExecutionListResponseSchema = z
  .object({
    items: z.array(ExecutionSummarySchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: "ExecutionList" });

export const FailureListResponseSchema = z
  .object({ items: z.array(ExecutionSummarySchema) })
  .meta({ id: "FailureList" });

export const FindingSchema = z
  .object({
    id: z.number(),
    rule_id: z.string(),
    severity: SeveritySchema,
    fingerprint: z.string(),
    finding_key: z.string(),
    message: z.string(),
    data: z.unknown(),
    created_at: Instant,
  })
  .meta({ id: "Finding" });

/** Whether an execution's loaded input is kept for replay (execution_inputs). */
export const ExecutionInputStateSchema = z
  .discriminatedUnion("kept", [
    z.object({
      kept: z.literal(true),
      row_count: z.number(),
      bytes: z.number().describe("Compressed size (gzip) in bytes"),
      raw_bytes: z.number().describe("Size of the rows as NDJSON in bytes"),
      window_start: Instant,
      window_end: Instant,
    }),
    z.object({
      kept: z.literal(false),
      reason: z
        .enum(["too_large", "pruned_age", "pruned_total", "not_recorded"])
        .describe(
          "too_large: above EXECUTION_INPUT_MAX_BYTES; pruned_age / pruned_total: removed by the cleaner (EXECUTION_INPUT_RETENTION_DAYS / EXECUTION_INPUT_TOTAL_MB); not_recorded: inputs off or the run ended before its rows loaded",
        ),
      message: z.string(),
    }),
  ])
  .meta({ id: "ExecutionInputState" });

export const ExecutionDetailResponseSchema = ExecutionSummarySchema.extend({
  replay_of: z
    .number()
    .nullable()
    .describe(
      "The execution this one replayed on its stored input; null unless a replay",
    ),
  input: ExecutionInputStateSchema,
  stdout_tail: z.string().nullable(),
  stderr_tail: z.string().nullable(),
  stdout_bytes: z.number().nullable(),
  stderr_bytes: z.number().nullable(),
  rule_results: z.array(z.unknown()),
  findings: z.array(FindingSchema),
  findings_has_more: z
    .boolean()
    .describe(
      "The execution has more stored findings than `findings` lists (findings_limit).",
    ),
}).meta({ id: "ExecutionDetail" });

export const ExecutionChangeSchema = z
  .object({
    id: z.number().describe("The discrepancy event's id."),
    fingerprint: z.string(),
    rule_id: z.string(),
    finding_key: z.string(),
    message: z.string().describe("The discrepancy's latest message."),
    severity: SeveritySchema.describe("Its severity after this run."),
    change: z
      .string()
      .describe(
        "new, reopened, unmuted, escalated, severity_changed, resolved, expired or not_evaluated (docs/discrepancies.md). A finding of the run with no change here was seen again, still open.",
      ),
    from_status: z.string().nullable(),
    to_status: z.string(),
    at: Instant,
  })
  .meta({ id: "ExecutionChange" });

export const ExecutionChangesResponseSchema = z
  .object({
    items: z.array(ExecutionChangeSchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: "ExecutionChanges" });

const countsByStatus = Object.fromEntries(
  EXECUTION_STATUSES.map((status) => [status, z.number()]),
) as { [S in (typeof EXECUTION_STATUSES)[number]]: z.ZodNumber };

export const ExecutionCountsSchema = z.object({
  total: z.number(),
  ...countsByStatus,
  /** Percent of executions that succeeded, two decimals; null without executions. */
  success_rate: z.number().nullable(),
});

export const ProjectDetailResponseSchema = ProjectSchema.extend({
  schedules: z.array(ScheduleWithNextRunsSchema),
  rules: z.array(
    RuleSchema.omit({ code: true, logic: true, explanation: true }),
  ),
  last_execution: ExecutionSummarySchema.pick({
    id: true,
    status: true,
    scheduled_for: true,
    started_at: true,
    finished_at: true,
    duration_ms: true,
    findings_count: true,
  }).nullable(),
  next_run: NullableInstant,
  /** Statuses and success rate of the latest `of_last` executions. */
  executions: ExecutionCountsSchema.extend({ of_last: z.number() }),
}).meta({ id: "ProjectDetail" });

export const CreatedProjectResponseSchema = ProjectSchema.extend({
  schedules: z.array(ScheduleSchema),
  rules: z.array(RuleSchema),
}).meta({ id: "CreatedProject" });

export const ApplyProjectResponseSchema = z
  .object({
    project: ProjectSchema,
    created: z.boolean(),
    schedules: z.object({
      kept: z.number(),
      added: z.number(),
      removed: z.number(),
    }),
    rules: z.object({ upserted: z.number(), removed: z.number() }),
  })
  .meta({ id: "ApplyProjectResult" });

export const StatsResponseSchema = ExecutionCountsSchema.extend({
  project_id: z.string().nullable(),
  /**
   * Runs (triggers) skipped in the window, by why: `misfire` (the misfire policy after
   * downtime), `missed_deadline` (starting deadline), `concurrency_forbid`, `project_inactive`,
   * `other`. Skipped runs never become executions, so `total` does not count them.
   */
  skipped_runs: z.object({
    total: z.number(),
    misfire: z.number(),
    missed_deadline: z.number(),
    concurrency_forbid: z.number(),
    project_inactive: z.number(),
    other: z.number(),
  }),
  from: Instant,
  to: Instant,
  duration_ms: z.object({
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    avg: z.number().nullable(),
    max: z.number().nullable(),
  }),
}).meta({ id: "Stats" });

export const TriggerResponseSchema = z
  .object({
    id: z.number(),
    project_id: z.string(),
    source: TriggerSource,
    status: z.string(),
    fire_at: Instant,
    window_start: NullableInstant,
    window_end: NullableInstant,
    requested_by: z.string().nullable(),
    created_at: Instant,
  })
  .meta({ id: "Trigger" });

export const ReplayResponseSchema = TriggerResponseSchema.extend({
  replay_of: z.number().describe("The execution being replayed"),
}).meta({ id: "Replay" });

export const DatasetResponseSchema = z
  .object({
    id: z.number(),
    project_id: z.string(),
    format: z.enum(["json", "csv"]),
    filename: z.string().nullable(),
    row_count: z.number(),
    size_bytes: z.number(),
    sha256: z.string(),
    uploaded_by: z.string().nullable(),
    uploaded_at: Instant,
  })
  .meta({ id: "Dataset" });

export const CronPreviewResponseSchema = z
  .object({
    cron_expression: z.string(),
    timezone: z.string(),
    after: Instant,
    /** Each fire time as a UTC instant and as wall-clock time with its offset in `timezone`. */
    fire_times: z.array(z.object({ at: Instant, local: z.string() })),
  })
  .meta({ id: "CronPreview" });

export const DeletedResponseSchema = z
  .object({ deleted: z.literal(true) })
  .meta({ id: "Deleted" });
