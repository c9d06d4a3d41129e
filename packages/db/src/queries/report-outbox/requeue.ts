import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { ReportOutboxRow } from "../../tables/report-outbox.js";

export type RequeueResult =
  | { kind: "requeued"; row: ReportOutboxRow }
  | { kind: "not_found" }
  | { kind: "not_dead"; status: ReportOutboxRow["status"] };

/**
 * Puts a dead-lettered row back in line with a fresh attempt budget, due now. Only `dead`
 * rows move (the condition is in the UPDATE, so a concurrent requeue moves it once).
 * Being the oldest open row of its project again, it goes out before newer reports.
 */
export async function requeueDeadReport(
  db: Kysely<Database>,
  outboxId: number,
): Promise<RequeueResult> {
  const row = await db
    .updateTable("report_outbox")
    .set({
      status: "pending",
      attempts: 0,
      next_attempt_at: sql<Date>`now()`,
      dead_at: null,
      claimed_by: null,
      lease_expires_at: null,
      updated_at: sql<Date>`now()`,
    })
    .where("id", "=", outboxId)
    .where("status", "=", "dead")
    .returningAll()
    .executeTakeFirst();
  if (row) {
    // wake the delivery loops: the insert trigger only fires for new rows
    await sql`select pg_notify('vigil_outbox', '')`.execute(db);
    return { kind: "requeued", row };
  }
  const existing = await db
    .selectFrom("report_outbox")
    .select("status")
    .where("id", "=", outboxId)
    .executeTakeFirst();
  return existing
    ? { kind: "not_dead", status: existing.status }
    : { kind: "not_found" };
}
