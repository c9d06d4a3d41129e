import { DryRunRequestSchema } from "@vigil/contracts";
import {
  CHANNELS,
  claimDryRunRequest,
  finishDryRunRequest,
  pruneExpiredDryRunRequests,
  renewDryRunLease,
  toJson,
  type ClaimedDryRun,
  type Db,
  type JsonValue,
} from "@vigil/db";
import { dryRunProject, type ProjectRunSettings } from "@vigil/dry-run";
import { coerceError, type Logger } from "@vigil/logger";

import { createWakeup } from "./wakeup.js";

export interface DryRunLoopOptions {
  db: Db;
  connectionString: string;
  logger: Logger;
  /** The executor's worker id: the fence of every write about a claimed dry run. */
  workerId: string;
  /** EXECUTOR_DRY_RUN_CONCURRENCY: dry runs at once, beside the trigger runs. */
  concurrency: number;
  /** LEASE_SECONDS: a dry run whose executor stops renewing is another's after this. */
  leaseSeconds: number;
  pollIntervalMs: number;
  settings: ProjectRunSettings;
}

export interface DryRunLoop {
  start(): void;
  /** Stops claiming, lets runs in flight finish for up to `graceMs`, then stops them unanswered. */
  stop(o: { graceMs: number }): Promise<void>;
}

/** Expired requests (their API process died waiting) are swept this often by each executor. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Runs the dry runs API processes hand over through `dry_run_requests`: claims one at a time
 * while fewer than `concurrency` run, runs it with @vigil/dry-run as the API asked (this
 * executor's sandbox, secrets and source connections), renews its lease while it runs and writes
 * the answer fenced by worker. A run whose row is gone (the API gave up) is stopped; a run this
 * executor cannot finish (stopping) is left unanswered for another executor once its lease ends.
 */
export function createDryRunLoop(o: DryRunLoopOptions): DryRunLoop {
  const log = o.logger.child({ component: "dry-run-loop" });
  const wakeup = createWakeup({
    connectionString: o.connectionString,
    pollIntervalMs: o.pollIntervalMs,
    logger: log,
    channels: [CHANNELS.dryRuns],
  });
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  const aborts = new Set<AbortController>();
  let loop: Promise<void> | undefined;
  let lastPrune = 0;

  const answerOf = async (
    claim: ClaimedDryRun,
    signal: AbortSignal,
  ): Promise<JsonValue> => {
    const parsed = DryRunRequestSchema.safeParse(claim.request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        kind: "invalid_input",
        path: issue?.path.join(".") || "(root)",
        message: issue?.message ?? "invalid",
      };
    }
    try {
      const result = await dryRunProject(o.settings, {
        db: o.db,
        projectId: claim.projectId,
        request: parsed.data,
        now: new Date(),
        signal,
      });
      return JSON.parse(toJson(result)) as JsonValue;
    } catch (raw) {
      const err = coerceError(raw);
      log.warn({ err, dryRunId: claim.id }, "dry run failed");
      return { kind: "error", message: err.message };
    }
  };

  const runOne = async (claim: ClaimedDryRun) => {
    const abort = new AbortController();
    aborts.add(abort);
    const renew = setInterval(
      () => {
        renewDryRunLease(o.db, {
          id: claim.id,
          workerId: o.workerId,
          leaseSeconds: o.leaseSeconds,
        }).then(
          (held) => {
            if (!held) {
              abort.abort("withdrawn");
            }
          },
          (err: unknown) =>
            log.warn(
              { err, dryRunId: claim.id },
              "dry-run lease renewal failed",
            ),
        );
      },
      Math.max(1000, (o.leaseSeconds * 1000) / 3),
    );
    try {
      const answer = await answerOf(claim, abort.signal);
      if (abort.signal.aborted) {
        return;
      }
      const written = await finishDryRunRequest(o.db, {
        id: claim.id,
        workerId: o.workerId,
        answer,
      });
      if (!written) {
        log.info(
          { dryRunId: claim.id },
          "dry run answered too late: withdrawn",
        );
      }
    } catch (raw) {
      log.warn(
        { err: coerceError(raw), dryRunId: claim.id },
        "could not answer a dry run",
      );
    } finally {
      clearInterval(renew);
      aborts.delete(abort);
    }
  };

  const claimWhileFree = async () => {
    while (running.size < o.concurrency && !stopping.signal.aborted) {
      const claim = await claimDryRunRequest(o.db, {
        workerId: o.workerId,
        leaseSeconds: o.leaseSeconds,
      });
      if (claim === null) {
        return;
      }
      log.info(
        { dryRunId: claim.id, projectId: claim.projectId },
        "running a dry run",
      );
      const p = runOne(claim).finally(() => {
        running.delete(p);
        wakeup.kick();
      });
      running.add(p);
    }
  };

  const run = async () => {
    while (!stopping.signal.aborted) {
      try {
        await claimWhileFree();
        if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
          lastPrune = Date.now();
          await pruneExpiredDryRunRequests(o.db);
        }
      } catch (raw) {
        log.warn({ err: coerceError(raw) }, "dry-run claim failed; retrying");
      }
      await wakeup.wait({ untilMs: null, signal: stopping.signal });
    }
  };

  return {
    start() {
      if (o.concurrency <= 0 || loop) {
        return;
      }
      wakeup.start();
      loop = run();
    },
    async stop({ graceMs }) {
      stopping.abort("shutdown");
      await loop;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(running), grace]);
      clearTimeout(timer);
      for (const a of aborts) {
        a.abort("shutdown");
      }
      await Promise.all(running);
      await wakeup.stop();
    },
  };
}
