import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import { enqueueOutboxEntry, type OutboxEntry } from "./enqueue.js";

/** Two-key advisory lock space for per-project alert throttling (distinct from LOCK_KEYS' one-key space). */
const ALERT_LOCK_CLASS = 73_006;

export type AlertEnqueueResult =
  | { enqueued: true; ids: number[] }
  | { enqueued: false; reason: "throttled" | "duplicate" };

/**
 * Enqueues a failure alert (one row per entry: one per channel) unless the project already had one in the last
 * `minIntervalSeconds` (no alert storms). A transaction-scoped advisory lock per project
 * serializes concurrent executors of the same project, so "check the last alert, then
 * insert" cannot race: the second transaction waits for the first to commit, and its next
 * statement (READ COMMITTED) sees the first one's row. The lock ends with the transaction.
 * The interval is measured on the database clock (created_at vs now()).
 */
export async function enqueueAlertUnlessThrottled(
  trx: Transaction<Database>,
  entries: readonly Omit<OutboxEntry, "kind">[],
  minIntervalSeconds: number,
): Promise<AlertEnqueueResult> {
  const [first] = entries;
  if (first === undefined) {
    return { enqueued: false, reason: "duplicate" };
  }
  await sql`select pg_advisory_xact_lock(${ALERT_LOCK_CLASS}::int, hashtext(${first.projectId}))`.execute(
    trx,
  );
  if (minIntervalSeconds > 0) {
    const recent = await trx
      .selectFrom("report_outbox")
      .select("id")
      .where("project_id", "=", first.projectId)
      .where("kind", "=", "alert")
      // only failure alerts throttle failure alerts: a recovery just before must not hide a new failure
      .where("idempotency_key", "like", "alert:%")
      .where(
        "created_at",
        ">",
        sql<Date>`now() - make_interval(secs => ${minIntervalSeconds})`,
      )
      .limit(1)
      .executeTakeFirst();
    if (recent) {
      return { enqueued: false, reason: "throttled" };
    }
  }
  const ids: number[] = [];
  for (const entry of entries) {
    const id = await enqueueOutboxEntry(trx, { ...entry, kind: "alert" });
    if (id !== null) {
      ids.push(id);
    }
  }
  return ids.length === 0
    ? { enqueued: false, reason: "duplicate" }
    : { enqueued: true, ids };
}
