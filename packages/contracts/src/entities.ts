import { z } from "zod";

import { ProjectConfigSchema } from "./project-config.js";

export const SEVERITY_LEVELS = [
  "info",
  "low",
  "medium",
  "high",
  "critical",
] as const;
export const SeveritySchema = z.enum(SEVERITY_LEVELS);

export const ProjectIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "expected a slug: lowercase letters, digits, '-' or '_', at most 63 characters",
  );

export const RuleIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
    "expected letters, digits, '.', '-' or '_', at most 100 characters",
  );

export const CONCURRENCY_POLICIES = ["allow", "forbid", "replace"] as const;
export const MISFIRE_POLICIES = ["skip", "run_once", "run_all"] as const;

/**
 * A schedule as written by people (API, YAML). Cron and timezone are checked further by
 * @vigil/scheduling's validateSchedule, the same validator the trigger-creator uses.
 */
export const ScheduleInputSchema = z
  .object({
    cron_expression: z
      .string()
      .min(1)
      .max(200)
      .describe("Five-field cron (`*/15 * * * *`), checked when written."),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .default("UTC")
      .describe("IANA time zone the cron expression is read in."),
    concurrency_policy: z
      .enum(CONCURRENCY_POLICIES)
      .default("forbid")
      .describe(
        "A fire while a run is still going: run it too, skip it, or cancel the running one.",
      ),
    misfire_policy: z
      .enum(MISFIRE_POLICIES)
      .default("run_once")
      .describe(
        "Fires missed while nothing was scheduling: skip them, run the latest once, or run each.",
      ),
    starting_deadline_seconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .nullable()
      .default(null)
      .describe(
        "A fire not started within this many seconds is skipped; null: no deadline.",
      ),
    is_active: z
      .boolean()
      .default(true)
      .describe("An inactive schedule fires nothing."),
  })
  .strict();
export type ScheduleInput = z.output<typeof ScheduleInputSchema>;

/** A rule as written by people. Its code is checked further by @vigil/synthesizer's checkRuleCode. */
export const RuleInputSchema = z
  .object({
    rule_id: RuleIdSchema.describe(
      "Unique within the project; part of each finding's fingerprint, so renaming a rule opens its findings afresh.",
    ),
    definition_id: z
      .string()
      .max(200)
      .nullable()
      .default(null)
      .describe("Free reference to where the rule came from."),
    description: z
      .string()
      .max(10_000)
      .default("")
      .describe("What the rule checks, for people."),
    category: z.string().max(100).default("general").describe("Free grouping."),
    severity: SeveritySchema.default("medium").describe(
      "The severity of a finding that does not set its own.",
    ),
    logic: z
      .string()
      .max(20_000)
      .default("")
      .describe("The rule in words, for reviewers."),
    code: z
      .string()
      .min(1)
      .max(256 * 1024)
      .describe(
        'JavaScript (an ES module) exporting `detect(rows, params, ctx)`; see "The rule contract".',
      ),
    explanation: z
      .string()
      .max(20_000)
      .default("")
      .describe("What to do about a finding, for whoever triages it."),
    parameters: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("Passed to `detect` as `params`."),
    dependencies: z
      .array(z.string().max(200))
      .max(100)
      .default([])
      .describe("Free list of what the rule relies on (tables, fields)."),
    is_active: z
      .boolean()
      .default(true)
      .describe("An inactive rule is not run."),
  })
  .strict();
export type RuleInput = z.output<typeof RuleInputSchema>;

/** A whole project as applied from YAML or `POST /projects`: settings, schedules and rules. */
export const ProjectInputSchema = z
  .object({
    id: ProjectIdSchema.describe(
      "The project's slug, as in `/projects/{id}` and `vigil run ID`.",
    ),
    name: z.string().min(1).max(200).describe("Display name."),
    description: z.string().max(10_000).default("").describe("For people."),
    is_active: z
      .boolean()
      .default(true)
      .describe("An inactive project's schedules fire nothing."),
    config: ProjectConfigSchema.describe(
      "`projects.config`: the data source, the run's limits, reports, alerts.",
    ),
    schedules: z
      .array(ScheduleInputSchema)
      .max(100)
      .default([])
      .describe("When the project runs; none: only on demand."),
    rules: z
      .array(RuleInputSchema)
      .max(1000)
      .default([])
      .describe("The checks each run makes on the rows."),
  })
  .strict();
export type ProjectInput = z.output<typeof ProjectInputSchema>;
