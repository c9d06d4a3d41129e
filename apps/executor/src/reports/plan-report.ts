import {
  IMPLICIT_CHANNEL_NAME,
  type ChannelConfig,
  type DiscrepancyChanges,
  type ProjectConfig,
  type ReportFinding,
} from "@vigil/contracts";
import type {
  JsonValue,
  OutboxChannelKind,
  ReportDiscrepancy,
} from "@vigil/db";

/** Where one outbox row goes: the project's channel, or an implicit one. */
export interface OutboxChannel {
  name: string;
  kind: OutboxChannelKind;
  /** The env var naming the URL (webhook, slack); null: REPORT_URL (webhook) or none (email). */
  targetEnv: string | null;
  /** An email's to/from/subject_prefix; never a secret. */
  options: JsonValue;
}

function named(
  config: ProjectConfig,
  names: readonly string[] | undefined,
): OutboxChannel[] {
  const byName = new Map<string, ChannelConfig>(
    (config.channels ?? []).map((c) => [c.name, c]),
  );
  const out: OutboxChannel[] = [];
  for (const name of names ?? []) {
    const c = byName.get(name);
    if (c === undefined) {
      continue; // the config schema refuses an unknown name; a hand-edited row sends to the rest
    }
    out.push(
      c.kind === "email"
        ? {
            name: c.name,
            kind: "email",
            targetEnv: null,
            options: {
              to: c.to,
              ...(c.from === undefined ? {} : { from: c.from }),
              ...(c.subject_prefix === undefined
                ? {}
                : { subject_prefix: c.subject_prefix }),
            },
          }
        : { name: c.name, kind: c.kind, targetEnv: c.url_env, options: {} },
    );
  }
  return out;
}

/**
 * The channels a report goes to: `report.url_env` (or REPORT_URL when the project names no
 * channels) as the implicit webhook channel, then each of `report.channels`.
 */
export function reportChannels(
  config: ProjectConfig,
  globalReportUrlSet: boolean,
): OutboxChannel[] {
  const implicit: OutboxChannel[] =
    config.report.url_env !== undefined ||
    (config.report.channels === undefined && globalReportUrlSet)
      ? [
          {
            name: IMPLICIT_CHANNEL_NAME,
            kind: "webhook",
            targetEnv: config.report.url_env ?? null,
            options: {},
          },
        ]
      : [];
  return [...implicit, ...named(config, config.report.channels)];
}

/** The channels an alert goes to: `alert.slack_webhook_env`, then each of `alert.channels`. */
export function alertChannels(config: ProjectConfig): OutboxChannel[] {
  const alert = config.alert;
  if (alert === undefined) {
    return [];
  }
  const implicit: OutboxChannel[] =
    alert.slack_webhook_env === undefined
      ? []
      : [
          {
            name: IMPLICIT_CHANNEL_NAME,
            kind: "slack",
            targetEnv: alert.slack_webhook_env,
            options: {},
          },
        ];
  return [...implicit, ...named(config, alert.channels)];
}

export type FinalExecutionStatus =
  "success" | "partial" | "failed" | "cancelled" | "timeout" | "lost";

/**
 * Whether a project's report mode asks for a report of this execution.
 * - `always`: every finished execution (cancelled ones too, so receivers see gaps).
 * - `on_findings`: the execution found something.
 * - `on_change`: the set of open discrepancies changed (something new, reopened or resolved).
 * - `none`: never.
 */
export function shouldSendReport(
  mode: ProjectConfig["report"]["mode"],
  {
    changes,
    findingsCount,
  }: { changes: DiscrepancyChanges; findingsCount: number },
): boolean {
  switch (mode) {
    case "always":
      return true;
    case "on_findings":
      return findingsCount > 0;
    case "on_change":
      return changes.new.length > 0 || changes.resolved.length > 0;
    case "none":
      return false;
    default: {
      const never: never = mode;
      throw new Error(`unknown report mode ${String(never)}`);
    }
  }
}

/** Whether the project's alert config wants an alert for an execution that ended `status`. */
export function shouldAlert(
  alert: ProjectConfig["alert"],
  status: FinalExecutionStatus,
): alert is NonNullable<ProjectConfig["alert"]> {
  return (
    alert !== undefined &&
    (status === "failed" || status === "timeout" || status === "partial") &&
    alert.on.includes(status)
  );
}

/** The report group of each transition kind. */
const REPORT_GROUP: Record<
  ReportDiscrepancy["change"],
  keyof DiscrepancyChanges
> = {
  new: "new",
  reopened: "new",
  escalated: "still_open",
  unmuted: "still_open",
  still_open: "still_open",
  resolved: "resolved",
  expired: "resolved",
};

/** Groups discrepancy transitions (from `updateDiscrepancies`) as the report lists them. */
export function groupDiscrepancyChanges(
  transitions: readonly ReportDiscrepancy[],
): DiscrepancyChanges {
  const groups: DiscrepancyChanges = { new: [], still_open: [], resolved: [] };
  for (const t of transitions) {
    const finding: ReportFinding = {
      rule_id: t.ruleId,
      key: t.findingKey,
      severity: t.severity,
      message: t.message,
      fingerprint: t.fingerprint,
      first_seen_at: new Date(t.firstSeenAt).toISOString(),
      occurrences: t.occurrences,
    };
    groups[REPORT_GROUP[t.change]].push(finding);
  }
  return groups;
}

/** Slack-compatible incoming-webhook body: `{ text }`, short, with a link to the execution. */
export function buildAlertBody({
  projectId,
  projectName,
  executionId,
  status,
  errorMessage,
  url,
}: {
  projectId: string;
  projectName: string;
  executionId: number;
  status: "failed" | "timeout" | "partial";
  errorMessage: string | null;
  url: string | null;
}): { text: string } {
  const what =
    status === "timeout"
      ? "timed out"
      : status === "partial"
        ? "ran with rule errors"
        : "failed";
  const reason = errorMessage
    ? `: ${errorMessage.length > 300 ? `${errorMessage.slice(0, 300)}…` : errorMessage}`
    : "";
  const link = url
    ? ` <${url}|execution ${executionId}>`
    : ` (execution ${executionId})`;
  return {
    text: `Vigil: ${projectName} (${projectId}) ${what}${reason}.${link}`,
  };
}
