import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ExecutionStatus } from "../../tables/executions.js";

export interface ExecutionStatsOptions {
  /** Inclusive lower bound on created_at. */
  from: Date;
  /** Exclusive upper bound on created_at. */
  to: Date;
  projectId?: string;
  /** Only these projects (a project-limited token's); empty: none. */
  projectIds?: readonly string[];
}

export interface ExecutionStats {
  total: number;
  counts: Record<ExecutionStatus, number>;
  duration_ms: {
    p50: number | null;
    p95: number | null;
    avg: number | null;
    max: number | null;
  };
}

/**
 * Totals by status and duration percentiles in one pass over the window's rows
 * (index-only: executions_created_covering_idx, or executions_project_created_idx with a
 * project; both from 0008_api.sql).
 */
export async function getExecutionStats(
  db: Db,
  o: ExecutionStatsOptions,
): Promise<ExecutionStats> {
  let q = db
    .selectFrom("executions")
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      sql<number>`count(*) filter (where status = 'pending')`.as("pending"),
      sql<number>`count(*) filter (where status = 'running')`.as("running"),
      sql<number>`count(*) filter (where status = 'success')`.as("success"),
      sql<number>`count(*) filter (where status = 'partial')`.as("partial"),
      sql<number>`count(*) filter (where status = 'failed')`.as("failed"),
      sql<number>`count(*) filter (where status = 'cancelled')`.as("cancelled"),
      sql<number>`count(*) filter (where status = 'timeout')`.as("timeout"),
      sql<number>`count(*) filter (where status = 'lost')`.as("lost"),
      // one sort for both percentiles
      sql<
        number[] | null
      >`percentile_disc(array[0.5, 0.95]) within group (order by duration_ms)`.as(
        "pct",
      ),
      sql<number | null>`round(avg(duration_ms))`.as("avg"),
      sql<number | null>`max(duration_ms)`.as("max"),
    ])
    .where("created_at", ">=", o.from)
    .where("created_at", "<", o.to);
  if (o.projectId !== undefined) {
    q = q.where("project_id", "=", o.projectId);
  }
  if (o.projectIds !== undefined) {
    q = q.where(sql<boolean>`project_id = any(${[...o.projectIds]}::text[])`);
  }
  const r = await q.executeTakeFirstOrThrow();
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    total: Number(r.total),
    counts: {
      pending: Number(r.pending),
      running: Number(r.running),
      success: Number(r.success),
      partial: Number(r.partial),
      failed: Number(r.failed),
      cancelled: Number(r.cancelled),
      timeout: Number(r.timeout),
      lost: Number(r.lost),
    },
    duration_ms: {
      p50: n(r.pct?.[0]),
      p95: n(r.pct?.[1]),
      avg: n(r.avg),
      max: n(r.max),
    },
  };
}
