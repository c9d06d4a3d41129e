import {
  listProjectRetentionOverrides,
  markDeadWorkers,
  pruneAuditBatch,
  pruneDeadWorkers,
  pruneFinishedReports,
  pruneFinishedTriggers,
  pruneExecutionInputsByAge,
  pruneExecutionInputsOverTotal,
  pruneMaintenanceRuns,
  pruneProjectHistory,
  pruneClosedWatchdogEpisodes,
  type Db,
  type PrunedCounts,
  type RetentionPolicy,
  type TriggerCursor,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

import { drainBatches, pauseBetweenBatches } from "./drain-batches.js";
import { resolveRetentionPolicy } from "./retention-policy.js";

export interface PrunePassOptions {
  /** Env defaults; each project's `config.retention` overrides them key by key. */
  retention: RetentionPolicy;
  triggersMaxAgeDays: number;
  reportsDeliveredDays: number;
  reportsDeadDays: number;
  deadWorkersDays: number;
  workerStaleSeconds: number;
  /** RETENTION_AUDIT_DAYS: audit rows older than this go, oldest first (a prefix of the chain). */
  auditDays: number;
  /** EXECUTION_INPUT_RETENTION_DAYS: kept inputs older than this lose their rows. */
  inputRetentionDays: number;
  /** EXECUTION_INPUT_TOTAL_MB in bytes: beyond it the oldest inputs lose their rows; null: no cap. */
  inputTotalMaxBytes: number | null;
  /** Most rows per statement. */
  batchSize: number;
  /** Pause between batches. @default 0 (yield to the event loop only) */
  pauseMs?: number;
}

export interface PrunePassDeps {
  db: Db;
  logger: Logger;
  options: PrunePassOptions;
  /** Aborts between batches (shutdown); what was deleted stays deleted. */
  signal: AbortSignal;
  /** Filled as the pass goes, so a pass that fails part-way still reports what it did. */
  counts: PrunedCounts;
}

export function emptyCounts(): PrunedCounts {
  return {
    executions: 0,
    findings: 0,
    triggers: 0,
    reports_delivered: 0,
    reports_dead: 0,
    workers_marked_dead: 0,
    workers: 0,
    maintenance_runs: 0,
    audit_events: 0,
    watchdog_episodes: 0,
    execution_inputs: 0,
  };
}

/**
 * One retention pass over every table the cleaner owns, each in short batched statements
 * (see the prune queries in @vigil/db for what each locks and skips). Reports go before
 * executions so a deleted execution rarely has outbox rows left to null out; triggers go
 * after executions because a trigger is kept while an execution refers to it.
 */
export async function runPrunePass({
  db,
  logger,
  options,
  signal,
  counts,
}: PrunePassDeps): Promise<PrunedCounts> {
  const limit = options.batchSize;
  const pauseMs = options.pauseMs ?? 0;
  const drain = (deleteBatch: () => Promise<number>) =>
    drainBatches(deleteBatch, { limit, pauseMs, signal });

  counts.workers_marked_dead += await markDeadWorkers(db, {
    staleSeconds: options.workerStaleSeconds,
  });
  counts.reports_delivered += await drain(() =>
    pruneFinishedReports(db, {
      status: "delivered",
      olderThanDays: options.reportsDeliveredDays,
      limit,
    }),
  );
  counts.reports_dead += await drain(() =>
    pruneFinishedReports(db, {
      status: "dead",
      olderThanDays: options.reportsDeadDays,
      limit,
    }),
  );

  for (const { projectId, retention } of await listProjectRetentionOverrides(
    db,
  )) {
    if (signal.aborted) {
      return counts;
    }
    const { policy, ignored } = resolveRetentionPolicy(
      options.retention,
      retention,
    );
    if (ignored.length > 0) {
      logger.warn(
        { projectId, ignored },
        "unusable retention override values; using the defaults for them",
      );
    }
    const pruned = await pruneProjectHistory(db, {
      projectId,
      ...policy,
      batchSize: limit,
      pauseMs,
      signal,
    });
    counts.executions += pruned.executions;
    counts.findings += pruned.findings;
    if (pruned.executions > 0) {
      logger.debug(
        { projectId, ...pruned, ...policy },
        "pruned project history",
      );
    }
  }

  // inputs age apart from their executions (days, not weeks), then the total cap, oldest first
  counts.execution_inputs += await drain(() =>
    pruneExecutionInputsByAge(db, {
      maxAgeDays: options.inputRetentionDays,
      limit,
    }),
  );
  const inputTotalMaxBytes = options.inputTotalMaxBytes;
  if (inputTotalMaxBytes !== null) {
    counts.execution_inputs += await drain(() =>
      pruneExecutionInputsOverTotal(db, {
        maxBytes: inputTotalMaxBytes,
        limit,
      }),
    );
  }

  counts.triggers += await pruneTriggers(db, {
    olderThanDays: options.triggersMaxAgeDays,
    limit,
    pauseMs,
    signal,
  });
  counts.workers += await drain(() =>
    pruneDeadWorkers(db, {
      olderThanSeconds: options.deadWorkersDays * 86_400,
      limit,
    }),
  );
  // the cleaner's own history ages like the executions it describes
  const maintenanceDays = options.retention.maxAgeDays ?? 30;
  counts.maintenance_runs += await drain(() =>
    pruneMaintenanceRuns(db, { olderThanDays: maintenanceDays, limit }),
  );
  // closed watchdog episodes are history of the same kind
  counts.watchdog_episodes += await drain(() =>
    pruneClosedWatchdogEpisodes(db, { olderThanDays: maintenanceDays, limit }),
  );
  // only ever the oldest rows and never the newest, each batch with its audit.prune row,
  // so `vigil audit verify` still passes
  counts.audit_events += await drain(() =>
    pruneAuditBatch(db, { olderThanDays: options.auditDays, limit }),
  );
  return counts;
}

/** Walks finished triggers with a keyset cursor, so rows kept for an execution are passed once. */
async function pruneTriggers(
  db: Db,
  o: {
    olderThanDays: number;
    limit: number;
    pauseMs: number;
    signal: AbortSignal;
  },
): Promise<number> {
  let deleted = 0;
  let after: TriggerCursor | null = null;
  while (!o.signal.aborted) {
    const batch = await pruneFinishedTriggers(db, {
      olderThanDays: o.olderThanDays,
      limit: o.limit,
      after,
    });
    deleted += batch.deleted;
    if (batch.next === null) {
      break;
    }
    after = batch.next;
    await pauseBetweenBatches(o.pauseMs);
  }
  return deleted;
}
