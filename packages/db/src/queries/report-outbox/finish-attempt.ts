import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { OutboxStatus } from "../../tables/report-outbox.js";

/** Who holds the row: every write about a claimed outbox row is conditioned on it. */
export interface OutboxFence {
  outboxId: number;
  workerId: string;
}

export interface AttemptRecord {
  /** The attempt number (the row's `attempts` after the claim). */
  attempt: number;
  startedAt: Date;
  latencyMs: number | null;
  statusCode: number | null;
  error: string | null;
}

export type AttemptResult =
  | { kind: "delivered" }
  /** Retry after `delayMs` (DB clock), or dead-letter when attempts are spent. */
  | { kind: "failed"; delayMs: number }
  /** A refusal no retry can fix (a private address, a malformed URL, a 5xx SMTP rejection). */
  | { kind: "dead" };

export interface FinishAttemptOutcome {
  /** False when the lease was lost (rescued by another worker): the row was not touched. */
  owned: boolean;
  status: OutboxStatus | null;
}

/**
 * Records one delivery attempt and moves the row on, in one transaction:
 * delivered -> `delivered`; failed -> `pending` with next_attempt_at = now() + delay, or
 * `dead` once attempts reach max_attempts. The status update is fenced on
 * (claimed_by, status = 'delivering'); the attempt row is written either way, because the
 * request did happen and the log should say so.
 */
export async function finishDeliveryAttempt(
  db: Kysely<Database>,
  fence: OutboxFence,
  record: AttemptRecord,
  result: AttemptResult,
): Promise<FinishAttemptOutcome> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto("report_delivery_attempts")
      .values({
        outbox_id: fence.outboxId,
        attempt: record.attempt,
        worker_id: fence.workerId,
        started_at: record.startedAt,
        latency_ms: record.latencyMs,
        status_code: record.statusCode,
        error: record.error,
      })
      .execute();
    const base = trx
      .updateTable("report_outbox")
      .where("id", "=", fence.outboxId)
      .where("claimed_by", "=", fence.workerId)
      .where("status", "=", "delivering");
    const updated =
      result.kind === "delivered"
        ? await base
            .set({
              status: "delivered",
              delivered_at: sql<Date>`now()`,
              last_status_code: record.statusCode,
              last_error: null,
              lease_expires_at: null,
              updated_at: sql<Date>`now()`,
            })
            .returning("status")
            .executeTakeFirst()
        : result.kind === "dead"
          ? await base
              .set({
                status: "dead",
                dead_at: sql<Date>`now()`,
                last_status_code: record.statusCode,
                last_error: record.error,
                lease_expires_at: null,
                updated_at: sql<Date>`now()`,
              })
              .returning("status")
              .executeTakeFirst()
          : await base
              .set({
                status: sql<OutboxStatus>`case when attempts >= max_attempts then 'dead' else 'pending' end`,
                dead_at: sql<Date | null>`case when attempts >= max_attempts then now() else null end`,
                next_attempt_at: sql<Date>`now() + make_interval(secs => ${result.delayMs / 1000})`,
                last_status_code: record.statusCode,
                last_error: record.error,
                lease_expires_at: null,
                updated_at: sql<Date>`now()`,
              })
              .returning("status")
              .executeTakeFirst();
    return { owned: updated !== undefined, status: updated?.status ?? null };
  });
}
