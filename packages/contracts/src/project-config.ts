import { z } from "zod";

import { DataSourceSchema, SecretNameSchema } from "./data-source.js";
import { IsoDurationSchema } from "./duration.js";

export const REPORT_MODES = [
  "always",
  "on_findings",
  "on_change",
  "none",
] as const;
export type ReportMode = (typeof REPORT_MODES)[number];

export const ReportConfigSchema = z
  .object({
    /** Env var holding the report URL; unset: the global REPORT_URL. */
    url_env: SecretNameSchema.optional(),
    mode: z.enum(REPORT_MODES).default("on_change"),
    /**
     * At most one report per this interval, carrying every transition of the executions since
     * the last one (apps/executor/src/reports/README.md, "Digests"). Unset: a report per execution.
     */
    digest: IsoDurationSchema.optional(),
  })
  .strict();

export const AlertConfigSchema = z
  .object({
    slack_webhook_env: SecretNameSchema,
    min_interval_seconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(900),
    /** `partial`: some rules failed (a run whose rules all failed is `failed`). */
    on: z
      .array(z.enum(["failed", "timeout", "partial"]))
      .min(1)
      .default(["failed", "timeout"]),
    /** The failure alert fires once this many consecutive final runs ended in a status of `on`. */
    after_failures: z.number().int().min(1).max(1000).default(1),
    /** Whether a project that alerted sends one recovery alert when a run succeeds again. */
    recovery: z.boolean().default(true),
  })
  .strict();

export const RetentionConfigSchema = z
  .object({
    keep_last: z.number().int().min(1).max(1_000_000).optional(),
    max_age_days: z.number().int().min(1).max(3650).optional(),
    failed_max_age_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

export const DiscrepancyConfigSchema = z
  .object({
    /**
     * A discrepancy whose row no run has read for this long (its row left the window or the
     * source) becomes `expired`, never `resolved`. Unset: it stays in its state, marked not
     * evaluated, until a run reads its row again.
     */
    expire_after: IsoDurationSchema.optional(),
  })
  .strict();

/**
 * Bounds of the settings the claim applies. PostgreSQL derives `projects.max_concurrency` and
 * `projects.max_attempts` from the validated config, clamped into these same bounds
 * (migrations/0015_claim_limits.sql); apps/trigger-creator/test/project-settings.test.ts keeps the two equal.
 */
export const PROJECT_LIMITS = {
  max_attempts: { min: 1, max: 100, default: 1 },
  max_concurrency: { min: 1, max: 1000, default: 1 },
} as const;

/** A team name: the key of its limit in TEAM_MAX_RUNNING. */
export const TeamNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "a team is 1 to 63 lowercase letters, digits, _ or -, starting with a letter or digit",
  );

/** `projects.config` (packages/contracts/README.md). Unknown keys are an error, not ignored. */
export const ProjectConfigSchema = z
  .object({
    data_source: DataSourceSchema,
    lookback: IsoDurationSchema.default("PT1H"),
    /**
     * Rows younger than this stay out of a run: the window ends this long before the fire time,
     * so an order created a moment before the run is not flagged while it is still settling.
     */
    settle: IsoDurationSchema.optional(),
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .default(600),
    memory_mb: z.number().int().min(64).max(65_536).default(512),
    max_attempts: z
      .number()
      .int()
      .min(PROJECT_LIMITS.max_attempts.min)
      .max(PROJECT_LIMITS.max_attempts.max)
      .default(PROJECT_LIMITS.max_attempts.default),
    max_concurrency: z
      .number()
      .int()
      .min(PROJECT_LIMITS.max_concurrency.min)
      .max(PROJECT_LIMITS.max_concurrency.max)
      .default(PROJECT_LIMITS.max_concurrency.default),
    /** The team whose TEAM_MAX_RUNNING limit this project's runs count against; unset: none. */
    team: TeamNameSchema.optional(),
    report: ReportConfigSchema.default({ mode: "on_change" }),
    alert: AlertConfigSchema.optional(),
    retention: RetentionConfigSchema.optional(),
    discrepancies: DiscrepancyConfigSchema.optional(),
  })
  .strict();

export type ProjectConfig = z.output<typeof ProjectConfigSchema>;
export type ProjectConfigInput = z.input<typeof ProjectConfigSchema>;
