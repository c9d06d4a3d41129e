import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ExecutionCutoffs } from "./prune-cutoffs.js";

/** One project's retention, resolved from the env defaults and its `retention` override. */
export interface RetentionPolicy {
  keepLast: number;
  /** null: no age limit (keep-last alone decides). */
  maxAgeDays: number | null;
  /** When set, failed, timed-out, partial and lost executions are judged by this age alone. */
  failedMaxAgeDays: number | null;
}

export interface PruneExecutionsBatchOptions {
  projectId: string;
  policy: RetentionPolicy;
  cutoffs: ExecutionCutoffs;
  /** Keyset cursor: only ids above it are looked at (rows kept earlier in this pass are not rescanned). */
  afterId: number;
  limit: number;
}

export interface PrunedBatch {
  executions: number;
  /** Sum of the deleted executions' `findings_count`: the findings their cascade removed. */
  findings: number;
  /** The highest id looked at, for the next batch's cursor; null when nothing was deleted. */
  lastId: number | null;
}

/**
 * Deletes up to `limit` of one project's executions that retention no longer keeps, oldest
 * first, in one statement (one short transaction); findings go with them (ON DELETE CASCADE).
 *
 * A row is pruned when it is finished, older than the project's latest finished execution,
 * and either beyond the newest `keepLast` or older than `maxAgeDays` by `created_at`. With
 * `failedMaxAgeDays` set, failed, timed-out, partial and lost rows are instead pruned only past that age.
 * Always kept: pending and running rows (an executor owns them), the first and last evidence
 * of a tracked (open, acknowledged, muted) discrepancy, and rows an undelivered report (pending/delivering) points at.
 *
 * Locks: FOR UPDATE SKIP LOCKED on the chosen executions rows only. A row another
 * transaction holds (an executor finishing it, a second cleaner) is skipped, never waited
 * for; the cascade then touches only findings of rows we hold. The deletion never updates
 * `triggers`, so a claimer is never blocked by it.
 */
export async function pruneExecutionsBatch(
  db: Db,
  o: PruneExecutionsBatchOptions,
): Promise<PrunedBatch> {
  const { latestFinishedId, beyondKeepLastId } = o.cutoffs;
  if (latestFinishedId === null) {
    return { executions: 0, findings: 0, lastId: null };
  }
  const olderThan = (days: number) =>
    sql<boolean>`e.created_at < now() - make_interval(days => ${days})`;
  const beyondKeepLast =
    beyondKeepLastId === null
      ? sql<boolean>`false`
      : sql<boolean>`e.id <= ${beyondKeepLastId}`;
  const byCountOrAge =
    o.policy.maxAgeDays === null
      ? beyondKeepLast
      : sql<boolean>`(${beyondKeepLast} OR ${olderThan(o.policy.maxAgeDays)})`;
  const prunable =
    o.policy.failedMaxAgeDays === null
      ? byCountOrAge
      : sql<boolean>`CASE WHEN e.status IN ('failed', 'timeout', 'partial', 'lost') THEN ${olderThan(o.policy.failedMaxAgeDays)} ELSE ${byCountOrAge} END`;
  const { rows } = await sql<{
    executions: number;
    findings: number;
    last_id: number | null;
  }>`
    WITH doomed AS (
      SELECT e.id FROM executions e
      WHERE e.project_id = ${o.projectId}
        AND e.id > ${o.afterId} AND e.id < ${latestFinishedId}
        AND e.status NOT IN ('pending', 'running')
        AND ${prunable}
        AND NOT EXISTS (SELECT 1 FROM discrepancies d
                        WHERE d.status IN ('open', 'acknowledged', 'muted') AND d.first_execution_id = e.id)
        AND NOT EXISTS (SELECT 1 FROM discrepancies d
                        WHERE d.status IN ('open', 'acknowledged', 'muted') AND d.last_execution_id = e.id)
        AND NOT EXISTS (SELECT 1 FROM report_outbox r
                        WHERE r.execution_id = e.id AND r.status IN ('pending', 'delivering'))
      ORDER BY e.id
      LIMIT ${o.limit}
      FOR UPDATE OF e SKIP LOCKED
    ), deleted AS (
      DELETE FROM executions x USING doomed WHERE x.id = doomed.id
      RETURNING x.id, x.findings_count
    )
    SELECT count(*)::int AS executions, coalesce(sum(findings_count), 0)::int AS findings,
           max(id) AS last_id
    FROM deleted`.execute(db);
  const row = rows[0];
  return {
    executions: row?.executions ?? 0,
    findings: row?.findings ?? 0,
    lastId: row?.last_id ?? null,
  };
}
