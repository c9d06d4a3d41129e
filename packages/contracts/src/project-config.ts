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

export const CHANNEL_KINDS = ["webhook", "slack", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * The name the outbox gives the channels that `report.url_env` / REPORT_URL and
 * `alert.slack_webhook_env` imply, so no project may name a channel so.
 */
export const IMPLICIT_CHANNEL_NAME = "default";

export const ChannelNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "a channel name is 1 to 63 lowercase letters, digits, _ or -, starting with a letter or digit",
  )
  .refine((name) => name !== IMPLICIT_CHANNEL_NAME, {
    message: `"${IMPLICIT_CHANNEL_NAME}" is the name of the channel report.url_env / REPORT_URL and alert.slack_webhook_env imply; choose another`,
  });

/** An address as SMTP takes it: no display name, no spaces, one @. */
export const EmailAddressSchema = z
  .string()
  .max(254)
  .regex(
    /^[^\s@<>,;"]+@[^\s@<>,;"]+$/,
    "must be an email address such as ops@example.com (no display name)",
  );

export const WebhookChannelSchema = z
  .object({
    name: ChannelNameSchema,
    kind: z.literal("webhook"),
    /** Env var holding the URL; the body is signed with REPORT_SIGNING_SECRET as reports are. */
    url_env: SecretNameSchema,
  })
  .strict();

export const SlackChannelSchema = z
  .object({
    name: ChannelNameSchema,
    kind: z.literal("slack"),
    /** Env var holding the Slack-style incoming-webhook URL. */
    url_env: SecretNameSchema,
  })
  .strict();

export const EmailChannelSchema = z
  .object({
    name: ChannelNameSchema,
    kind: z.literal("email"),
    to: z.array(EmailAddressSchema).min(1).max(50),
    /** Unset: SMTP_FROM of the executor. */
    from: EmailAddressSchema.optional(),
    /** Put before every subject, e.g. `[billing]`. */
    subject_prefix: z.string().max(100).optional(),
  })
  .strict();

export const ChannelConfigSchema = z.discriminatedUnion("kind", [
  WebhookChannelSchema,
  SlackChannelSchema,
  EmailChannelSchema,
]);
export type ChannelConfig = z.output<typeof ChannelConfigSchema>;

/** Names of the project's `channels` that get a message; each must be defined there. */
const ChannelRefsSchema = z.array(ChannelNameSchema).min(1).max(20);

export const ReportConfigSchema = z
  .object({
    /** Env var holding the report URL; unset: the global REPORT_URL. */
    url_env: SecretNameSchema.optional(),
    mode: z.enum(REPORT_MODES).default("on_change"),
    /**
     * Channels that get each report as well as `url_env`. Set: the global REPORT_URL is not
     * used for this project (the project chose where its reports go).
     */
    channels: ChannelRefsSchema.optional(),
    /**
     * At most one report per this interval, carrying every transition of the executions since
     * the last one (apps/executor/src/reports/README.md, "Digests"). Unset: a report per execution.
     */
    digest: IsoDurationSchema.optional(),
  })
  .strict();

export const AlertConfigSchema = z
  .object({
    /** The implicit Slack-style channel; optional when `channels` names others. */
    slack_webhook_env: SecretNameSchema.optional(),
    /** Channels that get each alert as well as `slack_webhook_env`. */
    channels: ChannelRefsSchema.optional(),
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
  .strict()
  .refine(
    (alert) =>
      alert.slack_webhook_env !== undefined || alert.channels !== undefined,
    {
      message: "an alert needs slack_webhook_env or channels",
      path: ["slack_webhook_env"],
    },
  );

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
    /** Notification channels that `report.channels` and `alert.channels` name. */
    channels: z.array(ChannelConfigSchema).max(20).optional(),
    report: ReportConfigSchema.default({ mode: "on_change" }),
    alert: AlertConfigSchema.optional(),
    retention: RetentionConfigSchema.optional(),
    discrepancies: DiscrepancyConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const defined = new Set<string>();
    (config.channels ?? []).forEach((channel, i) => {
      if (defined.has(channel.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["channels", i, "name"],
          message: `channel ${channel.name} is defined twice`,
        });
      }
      defined.add(channel.name);
    });
    const refs: Array<["report" | "alert", readonly string[] | undefined]> = [
      ["report", config.report.channels],
      ["alert", config.alert?.channels],
    ];
    for (const [field, names] of refs) {
      (names ?? []).forEach((name, i) => {
        if (!defined.has(name)) {
          ctx.addIssue({
            code: "custom",
            path: [field, "channels", i],
            message: `no channel named ${name} in channels`,
          });
        }
      });
    }
  });

export type ProjectConfig = z.output<typeof ProjectConfigSchema>;
export type ProjectConfigInput = z.input<typeof ProjectConfigSchema>;
