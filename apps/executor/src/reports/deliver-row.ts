import {
  renderEmail,
  sendEmail,
  sendWebhook,
  type DeliveryOutcome,
  type SmtpEnv,
} from "@vigil/channels";
import {
  finishDeliveryAttempt,
  type Db,
  type ReportOutboxRow,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

import { reportDeliveriesTotal, reportDeliveryDuration } from "../metrics.js";
import { computeRetryDelayMs } from "./backoff.js";

export interface DeliverySettings {
  /** REPORT_URL. */
  reportUrl: string | undefined;
  /** REPORT_SIGNING_SECRET. */
  signingSecret: string | undefined;
  /** REPORT_ALLOW_PRIVATE_NETWORKS. */
  allowPrivateNetworks: boolean;
  /** REPORT_TIMEOUT_MS: one HTTP request, or one SMTP exchange. */
  timeoutMs: number;
  /** SMTP_*: the server of email channels; unset: email rows fail naming SMTP_URL / SMTP_HOST. */
  smtp?: SmtpEnv;
  /** First retry delay. @default 10_000 */
  backoffBaseMs?: number;
  /** @default 1_800_000 */
  backoffMaxMs?: number;
}

export interface DeliverRowDeps {
  db: Db;
  logger: Logger;
  workerId: string;
  env: Readonly<Record<string, string | undefined>>;
  settings: DeliverySettings;
  leaseSeconds: number;
  signal: AbortSignal;
  random?: () => number;
  now?: () => Date;
}

const NO_SMTP: SmtpEnv = { SMTP_SECURE: false, SMTP_STARTTLS: "opportunistic" };

interface EmailOptions {
  to?: unknown;
  from?: unknown;
  subject_prefix?: unknown;
}

/** One attempt at the row's channel: a webhook or Slack-style POST, or an email. */
async function sendToChannel(
  row: ReportOutboxRow,
  deps: DeliverRowDeps,
  startedAt: Date,
): Promise<DeliveryOutcome> {
  if (row.channel_kind === "email") {
    const options = row.channel_options as EmailOptions;
    const to = Array.isArray(options.to)
      ? options.to.filter((t): t is string => typeof t === "string")
      : [];
    const rendered = renderEmail(
      row.payload,
      typeof options.subject_prefix === "string"
        ? options.subject_prefix
        : undefined,
    );
    if (!rendered.ok || to.length === 0) {
      return {
        kind: "failed",
        statusCode: null,
        latencyMs: null,
        error: rendered.ok
          ? `channel ${row.channel_name} has no recipients`
          : rendered.error,
        retryAfterMs: null,
        permanent: true,
      };
    }
    return sendEmail(
      deps.settings.smtp ?? NO_SMTP,
      {
        to,
        from: typeof options.from === "string" ? options.from : undefined,
        email: rendered.email,
        idempotencyKey: row.idempotency_key,
      },
      deps.settings.timeoutMs,
    );
  }
  return sendWebhook({
    target: {
      targetEnv: row.target_env,
      env: deps.env,
      globalUrl: deps.settings.reportUrl,
    },
    idempotencyKey: row.idempotency_key,
    body: JSON.stringify(row.payload),
    signingSecret: deps.settings.signingSecret,
    allowPrivateNetworks: deps.settings.allowPrivateNetworks,
    timeoutMs: deps.settings.timeoutMs,
    attempt: row.attempts,
    now: startedAt,
    signal: deps.signal,
  });
}

/**
 * Delivers one claimed row to its channel and records the attempt (fenced on the lease). A
 * webhook body is the stored jsonb serialized once: PostgreSQL returns jsonb keys in a fixed
 * order, so every retry sends (and signs) the same bytes. A refusal no retry can fix goes to
 * the dead letter at once.
 */
export async function deliverOutboxRow(
  row: ReportOutboxRow,
  deps: DeliverRowDeps,
): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const startedMs = performance.now();
  const outcome = await sendToChannel(row, deps, startedAt);
  const seconds = (performance.now() - startedMs) / 1000;
  const delivered = outcome.kind === "delivered";
  const permanent = outcome.kind === "failed" && outcome.permanent;
  const delayMs =
    delivered || permanent
      ? 0
      : computeRetryDelayMs({
          attempt: row.attempts,
          baseMs: deps.settings.backoffBaseMs,
          maxMs: deps.settings.backoffMaxMs,
          random: (deps.random ?? Math.random)(),
          retryAfterMs: outcome.retryAfterMs,
        });
  const finished = await finishDeliveryAttempt(
    deps.db,
    { outboxId: row.id, workerId: deps.workerId },
    {
      attempt: row.attempts,
      startedAt,
      latencyMs: outcome.latencyMs,
      statusCode: outcome.statusCode,
      error: delivered ? null : outcome.error,
    },
    delivered
      ? { kind: "delivered" }
      : permanent
        ? { kind: "dead" }
        : { kind: "failed", delayMs },
  );
  const fields = {
    outboxId: row.id,
    projectId: row.project_id,
    kind: row.kind,
    channel: row.channel_name,
    channelKind: row.channel_kind,
    attempt: row.attempts,
    statusCode: outcome.statusCode,
    latencyMs: outcome.latencyMs,
  };
  // delivered / retry / dead: what became of the row; lease_lost: another worker owns it now
  const result = !finished.owned
    ? "lease_lost"
    : delivered
      ? "delivered"
      : finished.status === "dead"
        ? "dead"
        : "retry";
  reportDeliveriesTotal.inc({ outcome: result });
  reportDeliveryDuration.observe({ outcome: result }, seconds);
  if (!finished.owned) {
    deps.logger.warn(
      fields,
      "delivery lease was lost before the attempt was recorded; another worker owns the row",
    );
  } else if (delivered) {
    deps.logger.info(fields, "report delivered");
  } else if (finished.status === "dead") {
    deps.logger.error(
      { ...fields, error: outcome.error },
      permanent
        ? "report dead-lettered at once: no retry can fix this refusal"
        : "report dead-lettered after its last attempt",
    );
  } else {
    deps.logger.warn(
      { ...fields, error: outcome.error, retryInMs: delayMs },
      "report delivery failed; will retry",
    );
  }
}
