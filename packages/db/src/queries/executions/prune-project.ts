import type { Db } from "../../pool.js";
import { pruneExecutionsBatch, type RetentionPolicy } from "./prune.js";
import { findExecutionCutoffs } from "./prune-cutoffs.js";

export interface PruneProjectHistoryOptions {
  projectId: string;
  keepLast: number;
  /** @default null (no age limit) */
  maxAgeDays?: number | null;
  /** @default null (failed executions follow the other rules) */
  failedMaxAgeDays?: number | null;
  /** Rows per statement. @default 1000 */
  batchSize?: number;
  /** Pause between batches, so other transactions get the rows and the CPU. @default 0 (yield only) */
  pauseMs?: number;
  /** Stops between batches; what was deleted so far stays deleted. */
  signal?: AbortSignal;
}

export interface PrunedHistory {
  executions: number;
  findings: number;
  batches: number;
}

/**
 * Prunes one project's executions (and their findings) to its retention now, in batches of
 * `batchSize`, each its own short transaction (see `pruneExecutionsBatch` for what is
 * always kept). Used by every cleaner pass and by `DELETE /projects/{id}/cleanup`.
 */
export async function pruneProjectHistory(
  db: Db,
  o: PruneProjectHistoryOptions,
): Promise<PrunedHistory> {
  const policy: RetentionPolicy = {
    keepLast: o.keepLast,
    maxAgeDays: o.maxAgeDays ?? null,
    failedMaxAgeDays: o.failedMaxAgeDays ?? null,
  };
  const limit = o.batchSize ?? 1000;
  const cutoffs = await findExecutionCutoffs(db, {
    projectId: o.projectId,
    keepLast: policy.keepLast,
  });
  const total: PrunedHistory = { executions: 0, findings: 0, batches: 0 };
  let afterId = 0;
  while (!o.signal?.aborted) {
    const batch = await pruneExecutionsBatch(db, {
      projectId: o.projectId,
      policy,
      cutoffs,
      afterId,
      limit,
    });
    total.batches += 1;
    total.executions += batch.executions;
    total.findings += batch.findings;
    if (batch.lastId === null || batch.executions < limit) {
      break;
    }
    afterId = batch.lastId;
    await pauseBetweenBatches(o.pauseMs ?? 0);
  }
  return total;
}

/** Gives the event loop (and, with `ms`, the database) room between two batches. */
function pauseBetweenBatches(ms: number): Promise<void> {
  return new Promise((resolve) =>
    ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve),
  );
}
