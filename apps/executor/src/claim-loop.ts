import {
  claimDueTriggers,
  isRetryable,
  msUntilNextClaimable,
  releaseOrphanedClaims,
  type ClaimedTrigger,
  type ClaimOptions,
  type Db,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import {
  claimDuration,
  claimsTotal,
  executionStartLag,
  skipReasonLabel,
  skippedRunsTotal,
} from "./metrics.js";
import type { Slots } from "./slots.js";
import type { Wakeup } from "./wakeup.js";

export interface ClaimLoopOptions {
  db: Db;
  workerId: string;
  leaseSeconds: number;
  /** GLOBAL_MAX_RUNNING and TEAM_MAX_RUNNING, applied by every claim. */
  limits: Pick<ClaimOptions, "globalMaxRunning" | "teamMaxRunning">;
  slots: Slots;
  wakeup: Wakeup;
  logger: Logger;
  /**
   * False while this worker does not hold its worker lock: its claims would be rescued at once by
   * the others, so it claims nothing until the lock is back.
   */
  mayClaim: () => boolean;
  /** Starts one claimed trigger; must take care of releasing its slot. */
  startRun(claim: ClaimedTrigger): void;
  /** Trigger ids this process is running (to hand back claims whose answer was lost). */
  runningIds(): number[];
}

export interface ClaimLoop {
  start(): void;
  /** Stops claiming; in-flight runs are not touched (the executor drains them). */
  stop(): Promise<void>;
}

const MAX_ERROR_BACKOFF_MS = 10_000;

/**
 * Waits for work, claims up to the free slots, hands each claim to `startRun`, repeats.
 * Never dies: each pass is try/catch, errors back off exponentially (a PostgreSQL restart
 * looks like a few failed passes). A claim that threw may have committed without us seeing
 * the answer; the next good pass hands such orphans back without spending an attempt.
 */
export function createClaimLoop(o: ClaimLoopOptions): ClaimLoop {
  const log = o.logger.child({ component: "claim-loop" });
  const stopping = new AbortController();
  let done: Promise<void> | undefined;
  let claimMayHaveCommitted = false;

  const pass = async () => {
    if (claimMayHaveCommitted) {
      const released = await releaseOrphanedClaims(o.db, {
        workerId: o.workerId,
        keepTriggerIds: o.runningIds(),
        reason: "handed back after a lost claim answer",
      });
      claimMayHaveCommitted = false;
      if (released > 0) {
        log.warn({ released }, "handed back claims whose answer was lost");
      }
    }
    if (o.slots.free() < o.slots.total) {
      // Linger one event-loop turn: runs finishing right now release their slots first, so
      // this pass claims for all of them in one call instead of one call per freed slot.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const free = o.mayClaim() ? o.slots.free() : 0;
    if (free > 0) {
      claimMayHaveCommitted = true;
      const endClaimTimer = claimDuration.startTimer();
      const result = await claimDueTriggers(o.db, {
        workerId: o.workerId,
        leaseSeconds: o.leaseSeconds,
        limit: free,
        ...o.limits,
      });
      endClaimTimer();
      claimMayHaveCommitted = false;
      claimsTotal.inc(result.claimed.length);
      for (const s of result.skipped) {
        skippedRunsTotal.inc({ reason: skipReasonLabel(s.reason) });
        log.info(s, "skipped");
      }
      for (const r of result.replaced) {
        log.info(r, "cancelled a running trigger (concurrency policy replace)");
      }
      for (const claim of result.claimed) {
        log.debug(
          {
            triggerId: claim.triggerId,
            executionId: claim.executionId,
            attempt: claim.attempt,
          },
          "claimed",
        );
        if (claim.attempt === 1) {
          // both instants are the database clock's: no skew between hosts
          executionStartLag.observe(
            Math.max(0, claim.startedAt.getTime() - claim.fireAt.getTime()) /
              1000,
          );
        }
        o.startRun(claim);
      }
      if (result.claimed.length > 0 && o.slots.free() > 0) {
        return; // more may be due right now: claim again before sleeping
      }
    }
    const untilMs =
      o.mayClaim() && o.slots.free() > 0
        ? await msUntilNextClaimable(o.db)
        : null;
    // +1 ms: setTimeout may fire a hair before the database clock reaches available_at
    await o.wakeup.wait({
      untilMs: untilMs === null ? null : untilMs + 1,
      signal: stopping.signal,
    });
  };

  const loop = async () => {
    let backoff = 100;
    while (!stopping.signal.aborted) {
      try {
        await pass();
        backoff = 100;
      } catch (raw) {
        const err = coerceError(raw);
        log.error(
          { err, backoffMs: backoff, retryable: isRetryable(err) },
          "claim pass failed; backing off",
        );
        await sleep(backoff, stopping.signal);
        backoff = Math.min(backoff * 2, MAX_ERROR_BACKOFF_MS);
      }
    }
  };

  return {
    start() {
      done = loop();
    },
    async stop() {
      stopping.abort();
      await done;
    },
  };
}

/** A pause that a stop cuts short (kicks do not: a failing database must not be hammered). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), {
      once: true,
    });
  });
}
