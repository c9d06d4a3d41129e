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
    on: z
      .array(z.enum(["failed", "timeout"]))
      .min(1)
      .default(["failed", "timeout"]),
  })
  .strict();

export const RetentionConfigSchema = z
  .object({
    keep_last: z.number().int().min(1).max(1_000_000).optional(),
    max_age_days: z.number().int().min(1).max(3650).optional(),
    failed_max_age_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

/** `projects.config` (packages/contracts/README.md). Unknown keys are an error, not ignored. */
export const ProjectConfigSchema = z
  .object({
    data_source: DataSourceSchema,
    lookback: IsoDurationSchema.default("PT1H"),
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .default(600),
    memory_mb: z.number().int().min(64).max(65_536).default(512),
    max_attempts: z.number().int().min(1).max(100).default(1),
    max_concurrency: z.number().int().min(1).max(1000).default(1),
    report: ReportConfigSchema.default({ mode: "on_change" }),
    alert: AlertConfigSchema.optional(),
    retention: RetentionConfigSchema.optional(),
  })
  .strict();

export type ProjectConfig = z.output<typeof ProjectConfigSchema>;
export type ProjectConfigInput = z.input<typeof ProjectConfigSchema>;
