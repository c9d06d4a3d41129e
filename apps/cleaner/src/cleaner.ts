import {
  createWorkerPresence,
  finishMaintenanceRun,
  startMaintenanceRun,
  type Db,
  type PrunedCounts,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import {
  emptyCounts,
  runPrunePass,
  type PrunePassOptions,
} from "./prune-pass.js";
import { countPass } from "./metrics.js";

export interface CleanerDeps {
  db: Db;
  logger: Logger;
  /** Shown in `workers`. */
  version: string;
  pass: PrunePassOptions;
  /** Pause between the end of one pass and the start of the next. */
  intervalMs: number;
  /** Register in `workers` (and heartbeat) while running. @default true */
  presence?: boolean;
}

export interface PassResult {
  /** The maintenance_runs row, or null when even recording the pass failed. */
  runId: number | null;
  pruned: PrunedCounts;
  durationMs: number;
  error: string | null;
}

export interface Cleaner {
  readonly workerId: string;
  /** Registers the worker and starts the interval loop (first pass at once); returns at once. */
  start(): Promise<void>;
  /** Stops after the current batch, waits for the loop, marks the worker stopped. */
  stop(options?: { force: boolean }): Promise<void>;
  /** One pass now, recorded in maintenance_runs; never throws for a failed pass. */
  runOnce(): Promise<PassResult>;
  /** The interval loop is running (for /ready). */
  readonly running: boolean;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * The cleaner service: a pass every `intervalMs`, each recorded in maintenance_runs with its
 * counts per table and duration. Any number may run at once: every statement takes disjoint
 * rows with SKIP LOCKED and retention cutoffs only ever grow, so two cleaners split the work
 * instead of waiting on each other (apps/cleaner/test/concurrent-cleaners.test.ts).
 */
export function createCleaner(deps: CleanerDeps): Cleaner {
  const logger = deps.logger.child({ component: "cleaner" });
  const stopping = new AbortController();
  const presence = createWorkerPresence({
    db: deps.db,
    app: "cleaner",
    version: deps.version,
    onError: (raw) =>
      logger.warn({ err: coerceError(raw) }, "worker heartbeat failed"),
  });
  const usePresence = deps.presence ?? true;
  let loop: Promise<void> | undefined;
  let looping = false;
  let wakeSleep: (() => void) | undefined;

  const runOnce = async (): Promise<PassResult> => {
    const started = performance.now();
    const counts = emptyCounts();
    let runId: number | null = null;
    let error: string | null = null;
    try {
      runId = await startMaintenanceRun(deps.db, {
        workerId: usePresence ? presence.workerId : null,
      });
      await runPrunePass({
        db: deps.db,
        logger,
        options: deps.pass,
        signal: stopping.signal,
        counts,
      });
    } catch (raw) {
      const err = coerceError(raw);
      error = err.message;
      logger.error(
        { err, pruned: counts },
        "cleaning pass failed; what it pruned so far stays pruned",
      );
    }
    const durationMs = Math.round(performance.now() - started);
    if (runId !== null) {
      try {
        await finishMaintenanceRun(deps.db, {
          id: runId,
          pruned: counts,
          durationMs,
          error,
        });
      } catch (raw) {
        logger.error(
          { err: coerceError(raw), runId },
          "could not record the cleaning pass",
        );
        error ??= coerceError(raw).message;
      }
    }
    countPass(counts, durationMs, error !== null);
    if (error === null) {
      // a pass cut short by shutdown resumes where it stopped on the next start: the rules are stateless
      logger.info(
        {
          runId,
          durationMs,
          pruned: counts,
          ...(stopping.signal.aborted ? { stoppedEarly: true } : {}),
        },
        "cleaning pass finished",
      );
    }
    return { runId, pruned: counts, durationMs, error };
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      const result = await runOnce();
      failures = result.error === null ? 0 : failures + 1;
      const delay =
        failures === 0
          ? deps.intervalMs
          : Math.min(MAX_BACKOFF_MS, deps.intervalMs * 2 ** failures);
      if (!stopping.signal.aborted) {
        await sleep(delay);
      }
    }
  };

  return {
    workerId: presence.workerId,
    runOnce,
    get running() {
      return looping;
    },
    async start() {
      if (usePresence) {
        await presence.start();
      }
      looping = true;
      loop = run().finally(() => (looping = false));
    },
    async stop() {
      // a pass stops between batches; each batch is one short statement, so force needs nothing more
      stopping.abort();
      wakeSleep?.();
      await loop;
      if (usePresence) {
        await presence.stop();
      }
    },
  };
}
