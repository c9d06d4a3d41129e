import { isRetryable, type ClaimedTrigger } from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import type { DetectorRunner } from "./detector-runner.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import { countExecution } from "./metrics.js";
import { outcomeLabel, type RunOutcome } from "@vigil/detector-run";
import type { RecordBatcher } from "./record-batcher.js";
import { retryDelayMs } from "./retry-backoff.js";

export interface RunTriggerDeps {
  runner: DetectorRunner;
  /** Writes the outcome (batched with other runs' when they finish together). */
  recorder: RecordBatcher;
  leaseKeeper: LeaseKeeper;
  workerId: string;
  logger: Logger;
  retry: { baseMs: number; maxMs: number };
  /** Called once the runner is done, before the record: the run no longer needs its slot. */
  onRunFinished?: () => void;
}

/** Longest pause between two tries of a record that failed on a lost connection. */
const MAX_RECORD_BACKOFF_MS = 5_000;

/**
 * One claimed trigger end to end: run it (the runner is the only part that differs between
 * production and the benchmark), then record the outcome, fenced (`RecordBatcher`: runs that
 * finish together share one statement; `onRunFinished` lets the slot go before that). While the
 * run and the record last, the lease keeper keeps the claim alive and aborts `controller` if the
 * claim is lost. A record that fails on a lost connection is retried until it lands or the lease
 * is lost: the fence makes a retry after an unseen commit harmless (it finds the row finished).
 */
export async function runTrigger(
  deps: RunTriggerDeps,
  claim: ClaimedTrigger,
  controller: AbortController,
): Promise<void> {
  const log = deps.logger.child({
    triggerId: claim.triggerId,
    executionId: claim.executionId,
    projectId: claim.projectId,
  });
  deps.leaseKeeper.track(claim, controller);
  try {
    const startedAt = performance.now();
    const outcome = await runSafely(deps.runner, claim, controller.signal);
    const seconds = (performance.now() - startedAt) / 1000;
    deps.onRunFinished?.();
    if (deps.leaseKeeper.isLost(claim.triggerId)) {
      countExecution(claim.projectId, "lease_lost", seconds);
      log.warn(
        { outcome: outcome.kind },
        "lease lost during the run; writing nothing",
      );
      return;
    }
    const delay = retryDelayMs({
      attempt: claim.attempt,
      baseMs: deps.retry.baseMs,
      maxMs: deps.retry.maxMs,
      random: Math.random,
    });
    let backoff = 100;
    for (;;) {
      try {
        const { recorded } = await deps.recorder.record({
          claim,
          outcome,
          retryDelayMs: delay,
        });
        countExecution(
          claim.projectId,
          recorded ? outcomeLabel(outcome) : "lease_lost",
          seconds,
        );
        if (recorded) {
          log.info(
            { outcome: outcome.kind, attempt: claim.attempt },
            "recorded",
          );
        } else {
          log.warn(
            { outcome: outcome.kind },
            "lease lost before recording; wrote nothing",
          );
        }
        return;
      } catch (raw) {
        const err = coerceError(raw);
        if (!isRetryable(err) || deps.leaseKeeper.isLost(claim.triggerId)) {
          log.error(
            { err },
            "recording failed; the lease will expire and the trigger be rescued",
          );
          return;
        }
        log.warn(
          { err, backoffMs: backoff },
          "recording failed on a lost connection; retrying",
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, MAX_RECORD_BACKOFF_MS);
      }
    }
  } finally {
    deps.leaseKeeper.untrack(claim.triggerId);
  }
}

/**
 * A runner that throws (a bug, a full disk) fails the run with the message instead of leaking the
 * claim. A retryable database error (the control database restarting under the run) is not the
 * run's fault: it hands the trigger back without spending an attempt.
 */
async function runSafely(
  runner: DetectorRunner,
  claim: ClaimedTrigger,
  signal: AbortSignal,
): Promise<RunOutcome> {
  try {
    return await runner.run({ claim, signal });
  } catch (raw) {
    const err = coerceError(raw);
    if (signal.aborted) {
      return {
        kind: "cancelled",
        reason: signal.reason === "shutdown" ? "shutdown" : "lease_lost",
        details: {},
      };
    }
    if (isRetryable(err)) {
      return {
        kind: "cancelled",
        reason: "database_error",
        message: err.message,
        details: {},
      };
    }
    return {
      kind: "failed",
      message: `the executor could not run the detector: ${err.message}`,
      details: {},
    };
  }
}
