import { z } from "zod";

/**
 * What the watchdog saw in a silent schedule's triggers since its expected fire time
 * (docs/operations.md, "Watchdog"): none made (`no_trigger`), one still running past the
 * project's timeout plus the grace (`stuck`), due ones no executor claimed (`missed`), or
 * every one skipped or cancelled.
 */
export const WATCHDOG_REASONS = [
  "missed",
  "stuck",
  "skipped",
  "cancelled",
  "no_trigger",
] as const;
export type WatchdogReasonKind = (typeof WATCHDOG_REASONS)[number];

/** One open episode, as `GET /status` lists it. */
export const WatchdogEpisodeSchema = z
  .object({
    id: z.number().int(),
    project_id: z.string(),
    project_name: z.string(),
    schedule_id: z.number().int().nullable(),
    cron_expression: z.string().nullable(),
    timezone: z.string().nullable(),
    /** When the watchdog opened the episode. */
    since: z.string(),
    /** The fire time that produced no finished run within its window plus the grace. */
    expected_at: z.string(),
    /** When the schedule's newest finished run finished, before the episode; null: none. */
    last_finished_at: z.string().nullable(),
    reason: z.enum(WATCHDOG_REASONS),
    detail: z.string(),
    /** When its alert was queued; null: not yet, or the project has no `alert`. */
    alerted_at: z.string().nullable(),
  })
  .meta({ id: "WatchdogEpisode" });
export type WatchdogEpisode = z.infer<typeof WatchdogEpisodeSchema>;

export interface WatchdogAlertInput {
  projectId: string;
  projectName: string;
  scheduleId: number | null;
  cronExpression: string | null;
  timezone: string | null;
  expectedAt: Date;
  reason: WatchdogReasonKind;
  detail: string;
}

/**
 * The alert body of a watchdog episode: the same Slack-style `{ text }` as a failure alert
 * (it goes to the project's `alert.slack_webhook_env`), with a `watchdog` object beside it for
 * receivers that read fields instead of text.
 */
export function buildWatchdogAlertBody(a: WatchdogAlertInput): {
  text: string;
  watchdog: {
    project_id: string;
    schedule_id: number | null;
    expected_at: string;
    reason: WatchdogReasonKind;
    detail: string;
  };
} {
  const schedule =
    a.cronExpression === null
      ? `schedule ${a.scheduleId ?? "(deleted)"}`
      : `schedule ${a.scheduleId ?? "(deleted)"} (${a.cronExpression} ${a.timezone ?? "UTC"})`;
  const detail =
    a.detail.length > 300 ? `${a.detail.slice(0, 300)}…` : a.detail;
  return {
    text: `Vigil watchdog: ${a.projectName} (${a.projectId}) ${schedule} has no finished run for ${a.expectedAt.toISOString()}: ${detail}`,
    watchdog: {
      project_id: a.projectId,
      schedule_id: a.scheduleId,
      expected_at: a.expectedAt.toISOString(),
      reason: a.reason,
      detail: a.detail,
    },
  };
}
