import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { OutboxStatus } from "../../tables/report-outbox.js";
import type { AppName } from "../../tables/workers.js";

/**
 * The database-wide figures behind the fleet gauges. Counters of work done are not here:
 * the processes doing the work count it, since these tables are pruned.
 */
export interface FleetSnapshot {
  reports: Array<{ status: OutboxStatus; count: number }>;
  workers: Array<{ app: AppName; count: number }>;
  openDiscrepancies: Array<{ project_id: string; count: number }>;
}

export interface FleetSnapshotOptions {
  staleWorkerSeconds: number;
}

/**
 * Report outbox rows by status, live workers per app and open discrepancies per project,
 * in three statements run at once (each a small group-by over an indexed status).
 */
export async function readFleetSnapshot(
  db: Db,
  o: FleetSnapshotOptions,
): Promise<FleetSnapshot> {
  const [reports, workers, open] = await Promise.all([
    db
      .selectFrom("report_outbox")
      .select((eb) => ["status", eb.fn.countAll<number>().as("count")])
      .groupBy("status")
      .execute(),
    db
      .selectFrom("workers")
      .select((eb) => ["app", eb.fn.countAll<number>().as("count")])
      .where("status", "in", ["running", "stopping"])
      .where(
        "last_heartbeat_at",
        ">",
        sql<Date>`now() - make_interval(secs => ${o.staleWorkerSeconds})`,
      )
      .groupBy("app")
      .execute(),
    db
      .selectFrom("discrepancies")
      .select((eb) => ["project_id", eb.fn.countAll<number>().as("count")])
      .where("status", "=", "open")
      .groupBy("project_id")
      .execute(),
  ]);
  return {
    reports: reports.map((r) => ({ ...r, count: Number(r.count) })),
    workers: workers.map((r) => ({ ...r, count: Number(r.count) })),
    openDiscrepancies: open.map((r) => ({ ...r, count: Number(r.count) })),
  };
}
