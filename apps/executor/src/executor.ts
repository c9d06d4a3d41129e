import { createWorkerPresence, type ClaimedTrigger, type Db } from "@vigil/db";
import type { Logger } from "@vigil/logger";

import { createClaimLoop } from "./claim-loop.js";
import type { DetectorRunner } from "./detector-runner.js";
import { createLeaseKeeper } from "./lease-keeper.js";
import type { CancelReason } from "./outcome.js";
import type { AfterRecord } from "./record-outcome.js";
import { runTrigger } from "./run-trigger.js";
import { createSlots } from "./slots.js";
import { createWakeup } from "./wakeup.js";

export interface ExecutorOptions {
  db: Db;
  /** For the LISTEN connection (a dedicated client, outside the pool). */
  connectionString: string;
  logger: Logger;
  runner: DetectorRunner;
  workerId?: string;
  version: string;
  concurrency: number;
  leaseSeconds: number;
  pollIntervalMs: number;
  retry: { baseMs: number; maxMs: number };
  afterRecord?: AfterRecord;
}

export interface Executor {
  readonly workerId: string;
  start(): Promise<void>;
  /**
   * Graceful stop: claim nothing more, let running detectors finish for up to `graceMs`, then
   * abort the rest (their triggers go back to pending without spending an attempt), wait for
   * their records, mark the worker stopped.
   */
  stop(options: { graceMs: number }): Promise<void>;
  /** Second signal: abort every run now (still handed back), without waiting for the grace. */
  forceStop(): void;
  running(): number;
}

/** Upper bound for aborted runs to record their hand-back after the grace period. */
const ABORT_SETTLE_MS = 15_000;

/** Wires the claim loop, lease keeper, wake-up and slots, and owns the worker row heartbeat. */
export function createExecutor(o: ExecutorOptions): Executor {
  const log = o.logger.child({ component: "executor" });
  const inFlight = new Map<number, AbortController>();
  const presence = createWorkerPresence({
    db: o.db,
    app: "executor",
    version: o.version,
    concurrency: o.concurrency,
    ...(o.workerId ? { workerId: o.workerId } : {}),
    sample: () => ({ running: inFlight.size }),
    onError: (err) => log.warn({ err }, "worker heartbeat failed"),
  });
  const workerId = presence.workerId;
  const logger = o.logger.child({ workerId });
  const wakeup = createWakeup({ connectionString: o.connectionString, pollIntervalMs: o.pollIntervalMs, logger });
  // a finished run frees a slot and maybe a project's limit: look for work again at once
  const slots = createSlots(o.concurrency, () => wakeup.kick());
  const leaseKeeper = createLeaseKeeper({ db: o.db, workerId, leaseSeconds: o.leaseSeconds, logger });
  const deps = { db: o.db, runner: o.runner, leaseKeeper, workerId, logger, retry: o.retry, ...(o.afterRecord ? { afterRecord: o.afterRecord } : {}) };

  const startRun = (claim: ClaimedTrigger) => {
    const controller = new AbortController();
    slots.take();
    inFlight.set(claim.triggerId, controller);
    void runTrigger(deps, claim, controller).finally(() => {
      inFlight.delete(claim.triggerId);
      slots.release();
    });
  };
  const claimLoop = createClaimLoop({
    db: o.db,
    workerId,
    leaseSeconds: o.leaseSeconds,
    slots,
    wakeup,
    logger,
    rescueIntervalMs: Math.max(1000, Math.min(o.pollIntervalMs, (o.leaseSeconds * 1000) / 2)),
    startRun,
    runningIds: () => [...inFlight.keys()],
  });
  const abortAll = (reason: CancelReason) => inFlight.forEach((c) => c.abort(reason));

  return {
    workerId,
    running: () => inFlight.size,
    async start() {
      await presence.start();
      leaseKeeper.start();
      wakeup.start();
      claimLoop.start();
      log.info({ workerId, concurrency: o.concurrency, leaseSeconds: o.leaseSeconds }, "executor started");
    },
    async stop({ graceMs }) {
      log.info({ running: inFlight.size, graceMs }, "stopping: no new claims; draining");
      await claimLoop.stop();
      await presence.draining();
      const grace = AbortSignal.timeout(Math.max(0, graceMs));
      await slots.drained(grace);
      if (inFlight.size > 0) {
        log.warn({ running: inFlight.size }, "grace period over; stopping detectors and handing their triggers back");
        abortAll("shutdown");
        await slots.drained(AbortSignal.timeout(ABORT_SETTLE_MS));
      }
      leaseKeeper.stop();
      await wakeup.stop();
      await presence.stop();
      log.info("executor stopped");
    },
    forceStop() {
      abortAll("shutdown");
    },
  };
}
