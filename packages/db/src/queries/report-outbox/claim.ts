import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { ReportOutboxRow } from "../../tables/report-outbox.js";

export interface ClaimReportsOptions {
  workerId: string;
  /** Longer than one delivery attempt (request timeout plus margin). */
  leaseSeconds: number;
  limit: number;
}

/**
 * Claims up to `limit` due outbox rows for `workerId` in one statement, counting the attempt.
 *
 * Locks: the claimed rows (FOR UPDATE SKIP LOCKED, so replicas take disjoint rows without
 * waiting). Eligible: `pending` rows whose next_attempt_at has come, and `delivering` rows
 * whose lease expired (their worker died between POST and status update: the report goes
 * out again with the same Idempotency-Key).
 * Order per project: a row is skipped while an older row of the same project and kind is
 * still pending or delivering, so one project's reports reach a receiver in order, even
 * after it was down for an hour (only the oldest row retries; the rest wait behind it).
 * Alerts and reports, and each channel, are ordered separately: they go to different
 * receivers, so a dead SMTP server does not hold up the webhook.
 * Served by report_outbox_due_idx and report_outbox_project_open_idx.
 */
export async function claimDueReports(
  db: Kysely<Database>,
  { workerId, leaseSeconds, limit }: ClaimReportsOptions,
): Promise<ReportOutboxRow[]> {
  return db
    .updateTable("report_outbox")
    .set((eb) => ({
      status: "delivering",
      claimed_by: workerId,
      lease_expires_at: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`,
      attempts: eb("attempts", "+", 1),
      updated_at: sql<Date>`now()`,
    }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("report_outbox as r")
        .select("r.id")
        .where((w) =>
          w.or([
            w.and([
              w("r.status", "=", "pending"),
              w("r.next_attempt_at", "<=", sql<Date>`now()`),
            ]),
            w.and([
              w("r.status", "=", "delivering"),
              w("r.lease_expires_at", "<", sql<Date>`now()`),
            ]),
          ]),
        )
        .where((w) =>
          w.not(
            w.exists(
              w
                .selectFrom("report_outbox as older")
                .select(sql`1`.as("one"))
                .whereRef("older.project_id", "=", "r.project_id")
                .whereRef("older.kind", "=", "r.kind")
                .whereRef("older.channel_name", "=", "r.channel_name")
                .whereRef("older.id", "<", "r.id")
                .where("older.status", "in", ["pending", "delivering"]),
            ),
          ),
        )
        .orderBy("r.next_attempt_at")
        .orderBy("r.id")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}
