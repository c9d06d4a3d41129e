import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { toJson, type JsonObject } from "../../tables/common.js";
import type { AppName, WorkerRow } from "../../tables/workers.js";

export interface RegisterWorkerOptions {
  id: string;
  app: AppName;
  hostname: string;
  pid: number;
  version: string;
  concurrency?: number | null;
  info?: JsonObject;
  /** The worker holds a worker lock (worker-lock.ts) for as long as it runs. */
  presenceLock?: boolean;
}

/** Inserts (or revives, for a reused id) this process's row in `workers`. */
export async function registerWorker(
  db: Db,
  o: RegisterWorkerOptions,
): Promise<WorkerRow> {
  return db
    .insertInto("workers")
    .values({
      id: o.id,
      app: o.app,
      hostname: o.hostname,
      pid: o.pid,
      version: o.version,
      concurrency: o.concurrency ?? null,
      info: toJson(o.info ?? {}),
      presence_lock: o.presenceLock ?? false,
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({
        status: "running",
        started_at: sql<Date>`now()`,
        last_heartbeat_at: sql<Date>`now()`,
        stopped_at: null,
        presence_lock: o.presenceLock ?? false,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}
