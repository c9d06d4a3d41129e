import { extendLeases, type ClaimedTrigger, type Db } from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import type { CancelReason } from "@vigil/detector-run";

export interface LeaseKeeperOptions {
  db: Db;
  workerId: string;
  leaseSeconds: number;
  logger: Logger;
}

export interface LeaseKeeper {
  start(): void;
  stop(): void;
  /** Extends (and checks) every lease now, e.g. once the worker lock is back after a loss. */
  checkNow(): void;
  /** Keeps this claim's lease alive; on loss, aborts `controller` with reason "lease_lost". */
  track(claim: ClaimedTrigger, controller: AbortController): void;
  untrack(triggerId: number): void;
  /** True once the database said this claim is no longer ours. */
  isLost(triggerId: number): boolean;
  /** Trigger ids of every tracked claim (for releasing orphaned claims after a lost answer). */
  trackedIds(): number[];
}

interface Tracked {
  claim: ClaimedTrigger;
  controller: AbortController;
  lost: boolean;
}

/**
 * Extends the leases of all of this worker's running claims in one statement every
 * leaseSeconds/3, so two ticks can fail (PostgreSQL restarting) before a lease expires.
 * A claim the database no longer gives back was rescued, replaced or re-claimed: its run is
 * aborted (the runner kills the process group) and nothing about it will be written.
 */
export function createLeaseKeeper({
  db,
  workerId,
  leaseSeconds,
  logger,
}: LeaseKeeperOptions): LeaseKeeper {
  const log = logger.child({ component: "lease-keeper" });
  const tracked = new Map<number, Tracked>();
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;

  const tick = async () => {
    if (ticking || tracked.size === 0) {
      return;
    }
    ticking = true;
    const batch = [...tracked.values()].filter((t) => !t.lost);
    try {
      const owned = await extendLeases(db, {
        workerId,
        claims: batch.map((t) => ({
          triggerId: t.claim.triggerId,
          attempt: t.claim.attempt,
          executionId: t.claim.executionId,
        })),
        leaseSeconds,
      });
      for (const t of batch) {
        // untracked meanwhile: recorded (and so no longer running) while we asked
        if (
          !owned.has(t.claim.triggerId) &&
          tracked.get(t.claim.triggerId) === t
        ) {
          t.lost = true;
          log.warn(
            { triggerId: t.claim.triggerId, executionId: t.claim.executionId },
            "lease lost; stopping the run",
          );
          const reason: CancelReason = "lease_lost";
          t.controller.abort(reason);
        }
      }
    } catch (raw) {
      log.warn(
        { err: coerceError(raw), claims: batch.length },
        "lease extension failed; retrying next tick",
      );
    } finally {
      ticking = false;
    }
  };

  return {
    start() {
      timer = setInterval(
        () => void tick(),
        Math.max(200, (leaseSeconds * 1000) / 3),
      );
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
    checkNow() {
      void tick();
    },
    track(claim, controller) {
      tracked.set(claim.triggerId, { claim, controller, lost: false });
    },
    untrack(triggerId) {
      tracked.delete(triggerId);
    },
    isLost: (triggerId) => tracked.get(triggerId)?.lost ?? false,
    trackedIds: () => [...tracked.keys()],
  };
}
