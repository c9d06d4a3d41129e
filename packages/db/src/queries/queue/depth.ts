import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface QueueDepth {
  /** Pending triggers whose time has come. */
  due: number;
  /** All pending triggers, due or not. */
  pending: number;
  running: number;
  /** Seconds since the oldest due pending trigger became claimable; 0 when none is overdue. */
  oldest_due_lag_seconds: number;
}

/**
 * Queue depth and lag from the partial indexes on pending and running triggers
 * (triggers_due_idx, triggers_lease_idx); measured with the database clock.
 */
export async function getQueueDepth(db: Db): Promise<QueueDepth> {
  const pending = await db
    .selectFrom("triggers")
    .select([
      sql<number>`count(*) filter (where available_at <= now())`.as("due"),
      sql<number>`count(*)`.as("pending"),
      sql<number>`coalesce(extract(epoch from now() - min(available_at)), 0)`.as(
        "lag",
      ),
    ])
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  const running = await db
    .selectFrom("triggers")
    .select(sql<number>`count(*)`.as("n"))
    .where("status", "=", "running")
    .executeTakeFirstOrThrow();
  return {
    due: Number(pending.due),
    pending: Number(pending.pending),
    running: Number(running.n),
    oldest_due_lag_seconds: Math.max(0, Number(pending.lag)),
  };
}
