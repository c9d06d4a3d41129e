import { z } from "zod";

import { RuleInputSchema, SeveritySchema } from "../entities.js";
import { ProjectConfigSchema } from "../project-config.js";
import { REPORT_GROUPS } from "../report.js";
import { DISCREPANCY_STATUSES } from "./discrepancies.js";

const InstantInput = z.iso.datetime({ offset: true });

/** Rule overrides one dry run may carry (a project holds few rules; each is up to 256 KiB). */
export const DRY_RUN_MAX_RULES = 100;
/** Rows one dry run may carry; the API body limit bounds their size. */
export const DRY_RUN_MAX_ROWS = 100_000;

/** POST /projects/{id}/dry-run and `vigil plan`. Every field is optional. */
export const DryRunRequestSchema = z
  .object({
    rules: z
      .array(RuleInputSchema)
      .max(DRY_RUN_MAX_RULES)
      .optional()
      .describe(
        "Rules to try: one with the `rule_id` of a stored rule replaces it, any other is added; `is_active: false` leaves that rule out. Unset: the stored rules.",
      ),
    rows: z
      .array(z.record(z.string(), z.unknown()))
      .max(DRY_RUN_MAX_ROWS)
      .optional()
      .describe(
        "Rows to run on instead of the project's source (a sample): the source's `key` still names their keys, and the plan says nothing about rows not given.",
      ),
    execution_id: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Run on the stored input (rows and window) of this past execution.",
      ),
    window: z
      .object({
        start: InstantInput.describe("Start of the data window (inclusive)."),
        end: InstantInput.describe("End of the data window (exclusive)."),
      })
      .strict()
      .refine((w) => Date.parse(w.start) < Date.parse(w.end), {
        message: "window.start must be before window.end",
        path: ["end"],
      })
      .optional()
      .describe(
        "The data window the source is read for. Unset: the window of a run starting now (`lookback` ending `settle` ago).",
      ),
    config: ProjectConfigSchema.optional().describe(
      "A whole project config to run with instead of the stored one (e.g. a shorter `timeout_seconds`).",
    ),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.rows !== undefined && v.execution_id !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["execution_id"],
        message: "give rows or execution_id, not both",
      });
    }
    const seen = new Set<string>();
    v.rules?.forEach((r, i) => {
      if (seen.has(r.rule_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "rule_id"],
          message: `rule_id ${r.rule_id} is given twice`,
        });
      }
      seen.add(r.rule_id);
    });
  })
  .meta({ id: "DryRunRequest" });
export type DryRunRequest = z.output<typeof DryRunRequestSchema>;

/** One discrepancy in a plan: what the run would do to it. */
export const DryRunPlanEntrySchema = z
  .object({
    fingerprint: z.string(),
    rule_id: z.string(),
    finding_key: z.string(),
    change: z
      .enum(REPORT_GROUPS)
      .describe(
        "The transition the executor would record (docs/discrepancies.md).",
      ),
    status: z.enum(DISCREPANCY_STATUSES).describe("Its status after the run."),
    previous_status: z
      .enum(DISCREPANCY_STATUSES)
      .nullable()
      .describe("Its status now; null: it does not exist yet."),
    severity: SeveritySchema,
    previous_severity: SeveritySchema,
    escalated: z
      .boolean()
      .describe("The run would raise its severity (`change: escalated`)."),
    message: z.string(),
  })
  .meta({ id: "DryRunPlanEntry" });

export const DryRunPlanSchema = z
  .object({
    scope: z
      .enum(["source", "sample"])
      .describe(
        "`source`: the rows a real run would read; `sample`: only the rows given, so nothing is said about rows not given.",
      ),
    note: z
      .string()
      .nullable()
      .describe("What the plan cannot tell, for a sample."),
    resolutions_planned: z
      .boolean()
      .describe(
        "Whether `would_resolve` is meaningful: false for a sample of a project with no `data_source.key`, whose rows cannot be told apart.",
      ),
    would_open: z.array(DryRunPlanEntrySchema).describe("New discrepancies."),
    would_reopen: z
      .array(DryRunPlanEntrySchema)
      .describe("Resolved or expired ones seen again, and mutes that ran out."),
    would_resolve: z
      .array(DryRunPlanEntrySchema)
      .describe("Tracked ones the run would resolve (or expire)."),
    unchanged: z
      .array(DryRunPlanEntrySchema)
      .describe(
        "Tracked ones seen again (`escalated` says when the severity rises).",
      ),
  })
  .meta({ id: "DryRunPlan" });
export type DryRunPlan = z.output<typeof DryRunPlanSchema>;

export const DryRunRuleResultSchema = z
  .object({
    rule_id: z.string(),
    status: z.enum(["ok", "error"]),
    duration_ms: z.number(),
    findings: z.number().int(),
    error: z.string().nullable(),
    line: z
      .number()
      .int()
      .nullable()
      .describe(
        "Line in the rule's code where its error was thrown (1-based).",
      ),
    column: z.number().int().nullable(),
  })
  .meta({ id: "DryRunRuleResult" });

export const DryRunFindingSchema = z
  .object({
    rule_id: z.string(),
    key: z.string(),
    row_key: z.string().nullable(),
    fingerprint: z.string(),
    severity: SeveritySchema,
    message: z.string(),
    data: z.unknown().optional(),
  })
  .meta({ id: "DryRunFinding" });

export const DryRunResponseSchema = z
  .object({
    project_id: z.string(),
    input: z
      .enum(["source", "rows", "execution"])
      .describe("What the detector ran on."),
    outcome: z
      .object({
        kind: z
          .enum(["succeeded", "failed", "timed_out", "rejected", "cancelled"])
          .describe("How the run ended, as an execution's outcome."),
        status: z
          .enum([
            "success",
            "partial",
            "failed",
            "timeout",
            "cancelled",
            "lost",
          ])
          .describe("The status an execution of this run would get."),
        reason: z
          .string()
          .nullable()
          .describe(
            "For `rejected` and `cancelled`: why (invalid_rules, missing_dependency, ...).",
          ),
        message: z.string().nullable(),
      })
      .meta({ id: "DryRunOutcome" }),
    window: z.object({ start: z.string(), end: z.string() }),
    row_count: z.number().int().nullable(),
    detector_hash: z.string().nullable(),
    duration_ms: z.number(),
    rules: z.array(DryRunRuleResultSchema),
    findings: z.array(DryRunFindingSchema),
    plan: DryRunPlanSchema.nullable().describe(
      "Null when the rules did not run (a timeout, a crash, a rejected detector): such a run changes nothing.",
    ),
  })
  .meta({ id: "DryRunResponse" });
export type DryRunResponse = z.output<typeof DryRunResponseSchema>;
