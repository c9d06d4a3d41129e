import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ExecutionStatus } from "../../tables/executions.js";
import type { OutboxStatus } from "../../tables/report-outbox.js";
import type { AppName } from "../../tables/workers.js";

export interface MetricsSnapshot {
  executions: Array<{
    project_id: string;
    status: ExecutionStatus;
    count: number;
  }>;
  /** Cumulative counts of finished executions with duration_ms <= each bound, plus the sum. */
  duration: {
    bucketsMs: readonly number[];
    cumulative: number[];
    count: number;
    sumMs: number;
  };
  reports: Array<{ status: OutboxStatus; count: number }>;
  workers: Array<{ app: AppName; count: number }>;
}

export interface MetricsSnapshotOptions {
  /** Executions created within this many seconds count (created_at index; bounded cost per scrape). */
  windowSeconds: number;
  bucketsMs: readonly number[];
  staleWorkerSeconds: number;
}

/**
 * What /metrics reports, read at scrape time in three cheap statements: executions of
 * the recent window by project and status, their duration histogram, report outbox rows
 * by status and live workers per app.
 */
export async function readMetricsSnapshot(
  db: Db,
  o: MetricsSnapshotOptions,
): Promise<MetricsSnapshot> {
  const since = sql<Date>`now() - make_interval(secs => ${o.windowSeconds})`;
  const bucketColumns = o.bucketsMs.map((b, i) =>
    sql<number>`count(*) filter (where duration_ms <= ${b})`.as(`b${i}`),
  );
  const [executions, duration, reports, workers] = await Promise.all([
    db
      .selectFrom("executions")
      .select((eb) => [
        "project_id",
        "status",
        eb.fn.countAll<number>().as("count"),
      ])
      .where("created_at", ">=", since)
      .groupBy(["project_id", "status"])
      .execute(),
    db
      .selectFrom("executions")
      .select([
        ...bucketColumns,
        sql<number>`count(duration_ms)`.as("count"),
        sql<number>`coalesce(sum(duration_ms), 0)`.as("sum"),
      ])
      .where("created_at", ">=", since)
      .where("duration_ms", "is not", null)
      .executeTakeFirstOrThrow(),
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
  ]);
  const row = duration as Record<string, unknown>;
  return {
    executions: executions.map((r) => ({ ...r, count: Number(r.count) })),
    duration: {
      bucketsMs: o.bucketsMs,
      cumulative: o.bucketsMs.map((_, i) => Number(row[`b${i}`])),
      count: Number(row.count),
      sumMs: Number(row.sum),
    },
    reports: reports.map((r) => ({ ...r, count: Number(r.count) })),
    workers: workers.map((r) => ({ ...r, count: Number(r.count) })),
  };
}
