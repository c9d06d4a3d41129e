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
    cron_expression: z.string().min(1).max(200),
    timezone: z.string().min(1).max(64).default("UTC"),
    concurrency_policy: z.enum(CONCURRENCY_POLICIES).default("forbid"),
    misfire_policy: z.enum(MISFIRE_POLICIES).default("run_once"),
    starting_deadline_seconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .nullable()
      .default(null),
    is_active: z.boolean().default(true),
  })
  .strict();
export type ScheduleInput = z.output<typeof ScheduleInputSchema>;

/** A rule as written by people. Its code is checked further by @vigil/synthesizer's checkRuleCode. */
export const RuleInputSchema = z
  .object({
    rule_id: RuleIdSchema,
    definition_id: z.string().max(200).nullable().default(null),
    description: z.string().max(10_000).default(""),
    category: z.string().max(100).default("general"),
    severity: SeveritySchema.default("medium"),
    logic: z.string().max(20_000).default(""),
    code: z
      .string()
      .min(1)
      .max(256 * 1024),
    explanation: z.string().max(20_000).default(""),
    parameters: z.record(z.string(), z.unknown()).default({}),
    dependencies: z.array(z.string().max(200)).max(100).default([]),
    is_active: z.boolean().default(true),
  })
  .strict();
export type RuleInput = z.output<typeof RuleInputSchema>;

/** A whole project as applied from YAML or `POST /projects`: settings, schedules and rules. */
export const ProjectInputSchema = z
  .object({
    id: ProjectIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(10_000).default(""),
    is_active: z.boolean().default(true),
    config: ProjectConfigSchema,
    schedules: z.array(ScheduleInputSchema).max(100).default([]),
    rules: z.array(RuleInputSchema).max(1000).default([]),
  })
  .strict();
export type ProjectInput = z.output<typeof ProjectInputSchema>;
