import {
  createWorkerLock,
  createWorkerPresence,
  type ClaimedTrigger,
  type Db,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

import { createClaimLoop, type ClaimLoopOptions } from "./claim-loop.js";
import type { DetectorRunner } from "./detector-runner.js";
import { createLeaseKeeper } from "./lease-keeper.js";
import type { CancelReason } from "@vigil/detector-run";
import { createRecordBatcher } from "./record-batcher.js";
import type { AfterRecord } from "./record-outcome.js";
import type { ReportPrecheck } from "./report-precheck.js";
import { createRescueLoop, type AfterRescue } from "./rescue-loop.js";
import { runTrigger } from "./run-trigger.js";
import { createSlots } from "./slots.js";
import { createWakeup } from "./wakeup.js";

export interface ExecutorOptions {
  db: Db;
  /** For the LISTEN connection and the worker lock (dedicated clients, outside the pool). */
  connectionString: string;
  logger: Logger;
  runner: DetectorRunner;
  workerId?: string;
  version: string;
  concurrency: number;
  leaseSeconds: number;
  /** GLOBAL_MAX_RUNNING and TEAM_MAX_RUNNING (packages/db/sql/vigil_claim_due_triggers.sql). */
  limits?: ClaimLoopOptions["limits"];
  pollIntervalMs: number;
  /** How often to look for runs of dead workers (RESCUE_INTERVAL_MS). */
  rescueIntervalMs: number;
  /** MAX_RESCUES: a trigger rescued this often is quarantined. */
  maxRescues: number;
  retry: { baseMs: number; maxMs: number };
  afterRecord?: AfterRecord;
  /** Reports and alerts of rescued runs, in the rescue's transaction. */
  afterRescue?: AfterRescue;
  /** Lets records skip `afterRecord` (and its transaction) when it certainly writes nothing. */
  reportPrecheck?: ReportPrecheck;
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
  /** Started and not stopping: the claim loop takes work (for /ready). */
  claiming(): boolean;
}

/**
 * How long a finished run's record waits for others to share its statement and commit. A
 * one-run record costs ~0.65 ms on the bench machine, a ten-run one ~1.25 ms (bench/executor:
 * 3 → 6 ms and 16 → 64 below took concurrency 10 from ~0.85x to ~1.0x graphile-worker
 * unbatched). Next to a detector's run time 6 ms is nothing, and the claim loop does not wait.
 */
const RECORD_LINGER_MS = 6;
/**
 * At least this many finished runs may wait for their record with their slot already free; past
 * it a run keeps its slot until recorded, so a slow database cannot pile up unrecorded runs.
 */
const MIN_RECORDING = 64;

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
    presenceLock: true,
    ...(o.workerId ? { workerId: o.workerId } : {}),
    // detectors running now; finished runs waiting for their record no longer hold a slot
    sample: () => ({ running: slots.running() }),
    onError: (err) => log.warn({ err }, "worker heartbeat failed"),
  });
  const workerId = presence.workerId;
  const logger = o.logger.child({ workerId });
  // While this session lives, the others know this worker's runs are in hand (worker-lock.ts).
  const lock = createWorkerLock({
    connectionString: o.connectionString,
    workerId,
    onAcquired: () => {
      // runs rescued while the lock was gone must stop; work may have waited for the lock
      leaseKeeper.checkNow();
      wakeup.kick();
    },
    onLost: (err) =>
      log.warn(
        { err },
        "worker lock lost: other executors may take this worker's runs; claiming paused until it is back",
      ),
    onError: (err) =>
      log.warn({ err }, "could not take the worker lock; retrying"),
  });
  const wakeup = createWakeup({
    connectionString: o.connectionString,
    pollIntervalMs: o.pollIntervalMs,
    logger,
  });
  // a finished run frees a slot and maybe a project's limit: look for work again at once
  const slots = createSlots(o.concurrency, () => wakeup.kick());
  const leaseKeeper = createLeaseKeeper({
    db: o.db,
    workerId,
    leaseSeconds: o.leaseSeconds,
    logger,
  });
  const recorder = createRecordBatcher({
    db: o.db,
    workerId,
    logger,
    ...(o.afterRecord ? { afterRecord: o.afterRecord } : {}),
    ...(o.reportPrecheck ? { reportPrecheck: o.reportPrecheck } : {}),
    lingerMs: RECORD_LINGER_MS,
  });
  const deps = {
    runner: o.runner,
    recorder,
    leaseKeeper,
    workerId,
    logger,
    retry: o.retry,
  };
  // runs whose detector is done and whose record is still being written (their slot is free)
  let recording = 0;
  const idleWaiters = new Set<() => void>();

  const startRun = (claim: ClaimedTrigger) => {
    const controller = new AbortController();
    slots.take();
    let slotHeld = true;
    let earlyRelease = false;
    inFlight.set(claim.triggerId, controller);
    // A finished detector frees its slot before its record lands, so the next claim overlaps the
    // record (which is batched with others') instead of waiting for it, up to
    // max(concurrency, MIN_RECORDING) such runs. The trigger stays `running` in the database until
    // recorded, so per-project limits still count it; the lease keeper keeps its lease.
    const onRunFinished = () => {
      if (recording < Math.max(o.concurrency, MIN_RECORDING)) {
        recording += 1;
        earlyRelease = true;
        slotHeld = false;
        slots.release();
      }
    };
    void runTrigger({ ...deps, onRunFinished }, claim, controller).finally(
      () => {
        inFlight.delete(claim.triggerId);
        if (slotHeld) {
          slots.release();
        }
        if (earlyRelease) {
          recording -= 1;
          // the record may have freed a project's limit that the early release could not
          wakeup.kick();
        }
        if (inFlight.size === 0) {
          idleWaiters.forEach((w) => w());
        }
      },
    );
  };
  /** Resolves when no run is in flight (detector or record), or when the signal aborts. */
  const idle = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (inFlight.size === 0 || signal.aborted) {
        resolve();
        return;
      }
      const done = () => (idleWaiters.delete(done), resolve());
      idleWaiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  const claimLoop = createClaimLoop({
    db: o.db,
    workerId,
    leaseSeconds: o.leaseSeconds,
    limits: o.limits ?? {},
    slots,
    wakeup,
    logger,
    mayClaim: () => lock.held,
    startRun,
    runningIds: () => [...inFlight.keys()],
  });
  const rescueLoop = createRescueLoop({
    db: o.db,
    workerId,
    lock,
    intervalMs: o.rescueIntervalMs,
    maxRescues: o.maxRescues,
    logger,
    ...(o.afterRescue ? { afterRescue: o.afterRescue } : {}),
    onRequeued: () => wakeup.kick(),
  });
  const abortAll = (reason: CancelReason) =>
    inFlight.forEach((c) => c.abort(reason));

  let claiming = false;
  return {
    workerId,
    running: () => inFlight.size,
    claiming: () => claiming,
    async start() {
      await presence.start();
      await lock.acquire();
      await rescueLoop.rescuePreviousLife();
      leaseKeeper.start();
      wakeup.start();
      rescueLoop.start();
      claimLoop.start();
      claiming = true;
      log.info(
        { workerId, concurrency: o.concurrency, leaseSeconds: o.leaseSeconds },
        "executor started",
      );
    },
    async stop({ graceMs }) {
      log.info(
        { running: inFlight.size, graceMs },
        "stopping: no new claims; draining",
      );
      claiming = false;
      await claimLoop.stop();
      await rescueLoop.stop();
      await presence.draining();
      const grace = AbortSignal.timeout(Math.max(0, graceMs));
      await idle(grace);
      if (inFlight.size > 0) {
        log.warn(
          { running: inFlight.size },
          "grace period over; stopping detectors and handing their triggers back",
        );
        abortAll("shutdown");
        await idle(AbortSignal.timeout(ABORT_SETTLE_MS));
      }
      leaseKeeper.stop();
      await wakeup.stop();
      // last: until every run is recorded or handed back, the lock says they are in hand
      await lock.release();
      await presence.stop();
      log.info("executor stopped");
    },
    forceStop() {
      abortAll("shutdown");
    },
  };
}
