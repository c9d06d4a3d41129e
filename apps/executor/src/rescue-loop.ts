import {
  rescueLostRuns,
  WORKER_LOCK_SETTLE_MS,
  type Db,
  type RescuedRun,
  type WorkerLock,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import { rescuesTotal } from "./metrics.js";
import type { RecordTransaction } from "./record-outcome.js";

/** Writes what a rescue owes (reports, alerts) in the transaction that rescued the runs. */
export type AfterRescue = (
  trx: RecordTransaction,
  rescued: readonly RescuedRun[],
) => Promise<void>;

export interface RescueLoopOptions {
  db: Db;
  workerId: string;
  lock: WorkerLock;
  intervalMs: number;
  maxRescues: number;
  logger: Logger;
  afterRescue?: AfterRescue;
  /** Runs went back to pending: look for work now. */
  onRequeued: () => void;
}

export interface RescueLoop {
  start(): void;
  stop(): Promise<void>;
  /** Once, at start: hands back runs a previous process left under this same worker id. */
  rescuePreviousLife(): Promise<void>;
}

const BATCH = 100;

/**
 * Every `intervalMs`, takes back the runs of workers that are gone (rescueLostRuns): at once when
 * a worker's lock is free, after the lease when it froze. This worker judges others by their
 * locks only once it has held its own for WORKER_LOCK_SETTLE_MS, so after a database restart it
 * does not take the runs of workers still reconnecting. A full batch is followed by another at
 * once. Never throws: a failed pass is logged and the next tick tries again.
 */
export function createRescueLoop(o: RescueLoopOptions): RescueLoop {
  const log = o.logger.child({ component: "rescue" });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const rescueOnce = async (restartedWorkerId?: string) => {
    const options = {
      limit: BATCH,
      maxRescues: o.maxRescues,
      rescuerId:
        o.lock.heldForMs() >= WORKER_LOCK_SETTLE_MS ? o.workerId : null,
      ...(restartedWorkerId ? { restartedWorkerId } : {}),
    };
    const afterRescue = o.afterRescue;
    const rescued = afterRescue
      ? await o.db.transaction().execute(async (trx) => {
          const runs = await rescueLostRuns(trx, options);
          if (runs.length > 0) {
            await afterRescue(trx, runs);
          }
          return runs;
        })
      : await rescueLostRuns(o.db, options);
    for (const r of rescued) {
      const result = r.status === "pending" ? "requeued" : "quarantined";
      rescuesTotal.inc({ result, cause: r.cause });
      const fields = {
        triggerId: r.triggerId,
        executionId: r.executionId,
        projectId: r.projectId,
        deadWorker: r.workerId,
        cause: r.cause,
        rescues: r.rescues,
      };
      if (r.status === "failed") {
        log.error({ ...fields, reason: r.reason }, "trigger quarantined");
      } else {
        log.warn(fields, "rescued a run of a lost worker");
      }
    }
    if (rescued.some((r) => r.status === "pending")) {
      o.onRequeued();
    }
    return rescued.length;
  };

  const tick = async () => {
    try {
      while (!stopped && (await rescueOnce()) === BATCH) {
        // a full batch: more may be waiting
      }
    } catch (raw) {
      log.warn({ err: coerceError(raw) }, "rescue pass failed; retrying");
    }
  };

  return {
    start() {
      timer = setInterval(() => {
        running ??= tick().finally(() => (running = undefined));
      }, o.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    async rescuePreviousLife() {
      try {
        await rescueOnce(o.workerId);
      } catch (raw) {
        // the lease rescues them instead
        log.warn(
          { err: coerceError(raw) },
          "could not hand back a previous process's runs",
        );
      }
    },
  };
}
