import {
  IMPLICIT_CHANNEL_NAME,
  type ChannelConfig,
  type ProjectConfig,
} from "./project-config.js";

/**
 * Where a project's reports and alerts go: the implicit channel (`report.url_env` or
 * REPORT_URL, `alert.slack_webhook_env`) and the channels `report.channels` /
 * `alert.channels` name. Shared by the executor (reports, run alerts) and the
 * trigger-creator (watchdog alerts), so both send to the same places.
 */

/** Where one outbox row goes: the project's channel, or an implicit one. */
export interface ChannelTarget {
  name: string;
  kind: ChannelConfig["kind"];
  /** The env var naming the URL (webhook, slack); null: REPORT_URL (webhook) or none (email). */
  targetEnv: string | null;
  /** An email's to/from/subject_prefix; never a secret. */
  options: { [option: string]: string | string[] };
}

function named(
  config: Pick<ProjectConfig, "channels">,
  names: readonly string[] | undefined,
): ChannelTarget[] {
  const byName = new Map<string, ChannelConfig>(
    (config.channels ?? []).map((c) => [c.name, c]),
  );
  const out: ChannelTarget[] = [];
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
): ChannelTarget[] {
  const implicit: ChannelTarget[] =
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
export function alertChannels(
  config: Pick<ProjectConfig, "alert" | "channels">,
): ChannelTarget[] {
  const alert = config.alert;
  if (alert === undefined) {
    return [];
  }
  const implicit: ChannelTarget[] =
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

/** One message as one outbox entry per channel: each its own row, retries and dead letter. */
export function perChannel<const E extends object>(
  channels: readonly ChannelTarget[],
  entry: E,
): Array<
  E & {
    targetEnv: string | null;
    channel: Pick<ChannelTarget, "name" | "kind" | "options">;
  }
> {
  return channels.map((c) => ({
    ...entry,
    targetEnv: c.targetEnv,
    channel: { name: c.name, kind: c.kind, options: c.options },
  }));
}
