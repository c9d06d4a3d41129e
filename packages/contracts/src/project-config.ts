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
    name: ChannelNameSchema.describe(
      "What `report.channels` and `alert.channels` call it.",
    ),
    kind: z.literal("webhook").describe("A signed JSON POST."),
    url_env: SecretNameSchema.describe(
      "The secret holding the URL; the body is signed with REPORT_SIGNING_SECRET as reports are.",
    ),
  })
  .strict();

export const SlackChannelSchema = z
  .object({
    name: ChannelNameSchema.describe(
      "What `report.channels` and `alert.channels` call it.",
    ),
    kind: z.literal("slack").describe("A Slack-style incoming webhook."),
    url_env: SecretNameSchema.describe(
      "The secret holding the incoming-webhook URL.",
    ),
  })
  .strict();

export const EmailChannelSchema = z
  .object({
    name: ChannelNameSchema.describe(
      "What `report.channels` and `alert.channels` call it.",
    ),
    kind: z.literal("email").describe("Mail through the executor's SMTP_URL."),
    to: z.array(EmailAddressSchema).min(1).max(50).describe("Recipients."),
    from: EmailAddressSchema.optional().describe(
      "Sender; unset: SMTP_FROM of the executor.",
    ),
    subject_prefix: z
      .string()
      .max(100)
      .optional()
      .describe("Put before every subject, e.g. `[billing]`."),
  })
  .strict();

export const ChannelConfigSchema = z.discriminatedUnion("kind", [
  WebhookChannelSchema,
  SlackChannelSchema,
  EmailChannelSchema,
]);
export type ChannelConfig = z.output<typeof ChannelConfigSchema>;

/** Names of the project's `channels` that get a message; each must be defined there. */
const ChannelRefsSchema = z
  .array(ChannelNameSchema)
  .min(1)
  .max(20)
  .describe("Names of channels defined in `channels`.");

export const ReportConfigSchema = z
  .object({
    url_env: SecretNameSchema.optional().describe(
      "The secret holding the report webhook URL; unset: the executor's REPORT_URL.",
    ),
    mode: z
      .enum(REPORT_MODES)
      .default("on_change")
      .describe(
        "When a run sends a report: every run, runs with findings, runs that opened, reopened or resolved a discrepancy, or never.",
      ),
    channels: ChannelRefsSchema.optional().describe(
      "Channels that get each report as well as `url_env`. Set: the executor's REPORT_URL is not used for this project.",
    ),
    digest: IsoDurationSchema.optional().describe(
      "At most one report per this interval, carrying every transition since the last one; unset: a report per execution.",
    ),
  })
  .strict();

export const AlertConfigSchema = z
  .object({
    slack_webhook_env: SecretNameSchema.optional().describe(
      "The secret holding a Slack-style webhook URL for alerts; needed unless `channels` is set.",
    ),
    channels: ChannelRefsSchema.optional().describe(
      "Channels that get each alert as well as `slack_webhook_env`.",
    ),
    min_interval_seconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(900)
      .describe("At most one alert per this many seconds."),
    on: z
      .array(z.enum(["failed", "timeout", "partial"]))
      .min(1)
      .default(["failed", "timeout"])
      .describe(
        "Run statuses that alert; `partial`: some rules failed (a run whose rules all failed is `failed`).",
      ),
    after_failures: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1)
      .describe(
        "The alert fires once this many consecutive final runs ended in a status of `on`.",
      ),
    recovery: z
      .boolean()
      .default(true)
      .describe("Send one recovery alert when a run succeeds after an alert."),
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
    keep_last: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        "Executions kept, newest first; older ones are pruned. Unset: RETENTION_KEEP_LAST.",
      ),
    max_age_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe(
        "Executions older than this are pruned (never the latest finished one). Unset: RETENTION_MAX_AGE_DAYS.",
      ),
    failed_max_age_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe(
        "Failed, timed-out, partial and lost executions are kept this long instead. Unset: RETENTION_FAILED_MAX_AGE_DAYS.",
      ),
  })
  .strict();

export const DiscrepancyConfigSchema = z
  .object({
    expire_after: IsoDurationSchema.optional().describe(
      "A discrepancy whose row no run has read for this long becomes `expired`, never `resolved`. Unset: it keeps its state, marked not evaluated, until a run reads its row again.",
    ),
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

/**
 * Bounds of `max_findings_per_rule`. The default is the detector runtime's own when a run folder
 * names none (packages/synthesizer/templates/runtime/normalize-findings.mjs, LIMITS).
 */
export const FINDINGS_PER_RULE_LIMITS = {
  min: 1,
  max: 100_000,
  default: 10_000,
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
    data_source: DataSourceSchema.describe("Where each run reads its rows."),
    lookback: IsoDurationSchema.default("PT1H").describe(
      "Length of each run's window: rows from `end - lookback` to `end` (`:start`, `:end`).",
    ),
    settle: IsoDurationSchema.optional().describe(
      "The window ends this long before the fire time, so rows still settling are not flagged; unset: it ends at the fire time.",
    ),
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .default(600)
      .describe(
        "The detector is stopped after this many seconds, counted from the end of the load (a SQL or HTTP source has its own `data_source.timeout_seconds`); the rule that was running is named.",
      ),
    memory_mb: z
      .number()
      .int()
      .min(64)
      .max(65_536)
      .default(512)
      .describe("Heap limit of the detector process."),
    max_attempts: z
      .number()
      .int()
      .min(PROJECT_LIMITS.max_attempts.min)
      .max(PROJECT_LIMITS.max_attempts.max)
      .default(PROJECT_LIMITS.max_attempts.default)
      .describe(
        "Attempts per trigger; a failed attempt below this is retried.",
      ),
    max_concurrency: z
      .number()
      .int()
      .min(PROJECT_LIMITS.max_concurrency.min)
      .max(PROJECT_LIMITS.max_concurrency.max)
      .default(PROJECT_LIMITS.max_concurrency.default)
      .describe("Runs of this project at once, across every executor."),
    max_findings_per_rule: z
      .number()
      .int()
      .min(FINDINGS_PER_RULE_LIMITS.min)
      .max(FINDINGS_PER_RULE_LIMITS.max)
      .default(FINDINGS_PER_RULE_LIMITS.default)
      .describe(
        "Findings kept per rule and run. A rule that returns more keeps its first this many; the rest are counted (`findings_truncated` on the execution, its rule result and the report) and none of that rule's discrepancies is resolved by the run, since its unseen findings could be among them.",
      ),
    team: TeamNameSchema.optional().describe(
      "The team whose TEAM_MAX_RUNNING limit this project's runs count against; unset: none.",
    ),
    channels: z
      .array(ChannelConfigSchema)
      .max(20)
      .optional()
      .describe(
        "Notification channels that `report.channels` and `alert.channels` name.",
      ),
    report: ReportConfigSchema.default({ mode: "on_change" }).describe(
      "Reports of each run's findings.",
    ),
    alert: AlertConfigSchema.optional().describe(
      "Alerts when runs fail or time out; unset: none.",
    ),
    retention: RetentionConfigSchema.optional().describe(
      "How long executions are kept; unset fields: the cleaner's RETENTION_* settings.",
    ),
    discrepancies: DiscrepancyConfigSchema.optional().describe(
      "How discrepancies age.",
    ),
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
