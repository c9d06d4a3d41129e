import {
  finishDeliveryAttempt,
  type Db,
  type ReportOutboxRow,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

import { reportDeliveriesTotal, reportDeliveryDuration } from "../metrics.js";
import { computeRetryDelayMs } from "./backoff.js";
import { deliverReport } from "./deliver.js";

export interface DeliverySettings {
  /** REPORT_URL. */
  reportUrl: string | undefined;
  /** REPORT_SIGNING_SECRET. */
  signingSecret: string | undefined;
  /** REPORT_ALLOW_PRIVATE_NETWORKS. */
  allowPrivateNetworks: boolean;
  /** REPORT_TIMEOUT_MS. */
  timeoutMs: number;
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

/**
 * Delivers one claimed row and records the attempt (fenced on the lease). The body is the
 * stored jsonb serialized once: PostgreSQL returns jsonb keys in a fixed order, so every
 * retry sends (and signs) the same bytes.
 */
export async function deliverOutboxRow(
  row: ReportOutboxRow,
  deps: DeliverRowDeps,
): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const startedMs = performance.now();
  const outcome = await deliverReport({
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
  const seconds = (performance.now() - startedMs) / 1000;
  const delivered = outcome.kind === "delivered";
  const delayMs = delivered
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
    delivered ? { kind: "delivered" } : { kind: "failed", delayMs },
  );
  const fields = {
    outboxId: row.id,
    projectId: row.project_id,
    kind: row.kind,
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
      "report dead-lettered after its last attempt",
    );
  } else {
    deps.logger.warn(
      { ...fields, error: outcome.error, retryInMs: delayMs },
      "report delivery failed; will retry",
    );
  }
}
