import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface PruneReportsOptions {
  /** Which finished rows: delivered ones by `delivered_at`, dead-lettered ones by `dead_at`. */
  status: "delivered" | "dead";
  olderThanDays: number;
  limit: number;
}

/**
 * Deletes up to `limit` delivered or dead-lettered outbox rows whose own timestamp is older
 * than `olderThanDays`, oldest first, along the partial index of that status; their
 * delivery attempts go with them (ON DELETE CASCADE). Returns how many rows it deleted.
 *
 * Never touched: pending and delivering rows. Locks: FOR UPDATE SKIP LOCKED on the chosen
 * rows, so a row the delivery loop or the API (a redelivery) holds is skipped, not waited for.
 */
export async function pruneFinishedReports(
  db: Db,
  o: PruneReportsOptions,
): Promise<number> {
  const stampedAt =
    o.status === "delivered" ? sql.ref("delivered_at") : sql.ref("dead_at");
  const result = await db
    .deleteFrom("report_outbox")
    .where("id", "in", (eb) =>
      eb
        .selectFrom("report_outbox")
        .select("id")
        .where("status", "=", o.status)
        .where(
          stampedAt,
          "<",
          sql<Date>`now() - make_interval(days => ${o.olderThanDays})`,
        )
        .orderBy(stampedAt)
        .limit(o.limit)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
