import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { toJson, type JsonObject } from "../../tables/common.js";
import type { WorkerStatus } from "../../tables/workers.js";

export interface HeartbeatOptions {
  workerId: string;
  running?: number;
  info?: JsonObject;
}

/**
 * Stamps the worker's heartbeat with the database clock. Returns false when the row is gone
 * or was marked dead by a cleaner, so the caller can re-register.
 */
export async function heartbeatWorker(
  db: Db,
  o: HeartbeatOptions,
): Promise<boolean> {
  const result = await db
    .updateTable("workers")
    .set({
      last_heartbeat_at: sql<Date>`now()`,
      ...(o.running === undefined ? {} : { running: o.running }),
      ...(o.info === undefined ? {} : { info: toJson(o.info) }),
    })
    .where("id", "=", o.workerId)
    .where("status", "in", ["running", "stopping"])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks this worker stopping (no longer claiming) or stopped (gone cleanly). */
export async function setWorkerStatus(
  db: Db,
  workerId: string,
  status: Exclude<WorkerStatus, "dead">,
): Promise<void> {
  await db
    .updateTable("workers")
    .set({
      status,
      last_heartbeat_at: sql<Date>`now()`,
      ...(status === "stopped"
        ? { stopped_at: sql<Date>`now()`, running: 0 }
        : {}),
    })
    .where("id", "=", workerId)
    .execute();
}
