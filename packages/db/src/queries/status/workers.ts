import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { WorkerRow } from "../../tables/workers.js";

export type LiveWorker = WorkerRow & { heartbeat_age_seconds: number };

/**
 * Workers that say they are running or draining, newest heartbeat first
 * (workers_app_heartbeat_idx), with their heartbeat age by the database clock.
 * Rows whose heartbeat is older than `staleSeconds` are left out: their process is gone
 * even if no cleaner has marked it dead yet.
 */
export async function listLiveWorkers(
  db: Db,
  { staleSeconds }: { staleSeconds: number },
): Promise<LiveWorker[]> {
  const rows = await db
    .selectFrom("workers")
    .selectAll()
    .select(
      sql<number>`extract(epoch from now() - last_heartbeat_at)`.as(
        "heartbeat_age_seconds",
      ),
    )
    .where("status", "in", ["running", "stopping"])
    .where(
      "last_heartbeat_at",
      ">",
      sql<Date>`now() - make_interval(secs => ${staleSeconds})`,
    )
    .orderBy("app")
    .orderBy("last_heartbeat_at", "desc")
    .execute();
  return rows.map((r) => ({
    ...r,
    heartbeat_age_seconds: Math.max(0, Number(r.heartbeat_age_seconds)),
  }));
}
