import {
  finishRuns,
  insertExecutionInputs,
  isRetryable,
  type ClaimedTrigger,
  type Db,
  type FinishRunsItem,
  type FinishRunsResult,
  type JsonValue,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

import type { RunOutcome } from "@vigil/detector-run";
import {
  planRecord,
  recordOutcome,
  type AfterRecord,
  type RecordPlan,
} from "./record-outcome.js";
import type { ReportPrecheck } from "./report-precheck.js";

export interface RecordBatcherOptions {
  db: Db;
  workerId: string;
  logger: Logger;
  afterRecord?: AfterRecord;
  /** Lets runs skip the hook's transaction when it certainly writes nothing; without it every run goes through the hook. */
  reportPrecheck?: ReportPrecheck;
  /** Most runs in one statement. */
  maxBatch?: number;
  /** How long the first run of a batch waits for others to finish and join it. */
  lingerMs?: number;
}

export interface RecordRequest {
  claim: ClaimedTrigger;
  outcome: RunOutcome;
  retryDelayMs: number;
}

export interface RecordBatcher {
  /** Same contract as `recordOutcome`: recorded, or false when the lease was lost (nothing written); throws on database errors. */
  record(request: RecordRequest): Promise<{ recorded: boolean }>;
}

interface Queued {
  request: RecordRequest;
  plan: RecordPlan;
  settle(result: Promise<{ recorded: boolean }> | { recorded: boolean }): void;
  fail(err: unknown): void;
}

const KNOWN_PROJECTS_MAX = 10_000;

/**
 * The completion batcher (graphile-worker's completeJobBatchDelay, for our records): runs
 * without findings that finish within `lingerMs` of the first waiting one, or while a batch is
 * being written, are written together in ONE `finishRuns` statement, each fenced on its own (a
 * lost lease drops that run only). One statement and one commit (a WAL flush) per batch instead
 * of per run; the claim loop never waits for it (the executor frees a run's slot first).
 *
 * The report hook: a run whose project config (as the last statement saw it) cannot produce a
 * report or alert for it (`reportPrecheck`) is written without a transaction and without the
 * hook, guarded by that config's md5 (see migrations/0009). Every other run — first sight of a
 * project, a report due — is written in a transaction with the hook, as `recordOutcome` does, so
 * an outbox row still commits with its result or not at all. A run whose rules ran is only
 * batched while its project tracks no discrepancy; otherwise (and when the report guard fails)
 * the statement hands it back `guarded` and it takes `recordOutcome`, which weighs discrepancies.
 * Runs with findings take `recordOutcome` directly (findings and discrepancy updates per run).
 * Runs with a kept input (execution_inputs) are written in the transaction as well, their inputs
 * inserted after the batch's `finishRuns` so each commits exactly with its record.
 * A batch that fails on a non-retryable error is recorded run by run, so one bad run cannot
 * block the others; a retryable error (lost connection, deadlock) is thrown to every caller,
 * whose retry loop records again (the fences make a retry after an unseen commit harmless).
 */
export function createRecordBatcher(o: RecordBatcherOptions): RecordBatcher {
  const maxBatch = o.maxBatch ?? 500;
  const lingerMs = o.lingerMs ?? 0;
  const queue: Queued[] = [];
  const known = new Map<string, { md5: string; config: JsonValue }>();
  let running = false;

  const recordAlone = (q: Queued) =>
    q.settle(
      recordOutcome({
        db: o.db,
        claim: q.request.claim,
        workerId: o.workerId,
        outcome: q.request.outcome,
        retryDelayMs: q.request.retryDelayMs,
        afterRecord: o.afterRecord,
      }),
    );

  const failAll = (items: Queued[], err: unknown) => {
    if (isRetryable(err)) {
      items.forEach((q) => q.fail(err));
    } else {
      o.logger.warn(
        { err, runs: items.length },
        "batched record failed; recording these runs one by one",
      );
      items.forEach(recordAlone);
    }
  };

  const remember = (q: Queued, r: FinishRunsResult) => {
    if (r.configMd5 !== null && r.projectConfig !== null) {
      if (known.size >= KNOWN_PROJECTS_MAX) {
        known.clear();
      }
      known.set(q.request.claim.projectId, {
        md5: r.configMd5,
        config: r.projectConfig,
      });
    }
  };

  const toItem = (q: Queued, guardMd5: string | null): FinishRunsItem => ({
    ...q.plan.run,
    projectId: q.request.claim.projectId,
    guardMd5,
  });

  /** The md5 to guard on when the hook can be skipped for this run, else null. */
  const hookFreeGuard = (q: Queued): string | null => {
    const k = known.get(q.request.claim.projectId);
    return k && o.reportPrecheck && !o.reportPrecheck(k.config, q.plan, [])
      ? k.md5
      : null;
  };

  const writeWithHook = async (items: Queued[]) => {
    const afterRecord = o.afterRecord;
    try {
      const results = await o.db.transaction().execute(async (trx) => {
        const rs = await finishRuns(
          trx,
          o.workerId,
          items.map((q) => toItem(q, null)),
        );
        // the inputs of the runs just recorded commit with them (their fences hold until commit)
        await insertExecutionInputs(
          trx,
          items.flatMap((q, i) =>
            rs[i]!.outcome === "recorded" && q.plan.input !== null
              ? [q.plan.input]
              : [],
          ),
        );
        for (const [i, q] of items.entries()) {
          const r = rs[i]!;
          if (r.outcome === "recorded" && afterRecord) {
            const { claim, outcome } = q.request;
            const { executionStatus, trigger } = q.plan;
            await afterRecord(trx, {
              claim,
              workerId: o.workerId,
              outcome,
              executionStatus,
              trigger,
              // a run recorded here weighed no discrepancy: its project tracked none
              discrepancies: [],
            });
          }
        }
        return rs;
      });
      items.forEach((q, i) => {
        const r = results[i]!;
        remember(q, r);
        if (r.outcome === "guarded") {
          recordAlone(q); // its project tracks discrepancies: weigh them in a record of its own
        } else {
          q.settle({ recorded: r.outcome === "recorded" });
        }
      });
    } catch (err) {
      failAll(items, err);
    }
  };

  const write = async (batch: Queued[]) => {
    const hookFree: { q: Queued; md5: string | null }[] = [];
    const withHook: Queued[] = [];
    for (const q of batch) {
      const md5 = o.afterRecord ? hookFreeGuard(q) : null;
      // a run with an input to store needs the transaction too: the input commits with its record
      if ((o.afterRecord && md5 === null) || q.plan.input !== null) {
        withHook.push(q);
      } else {
        hookFree.push({ q, md5 });
      }
    }
    if (hookFree.length > 0) {
      try {
        const results = await finishRuns(
          o.db,
          o.workerId,
          hookFree.map(({ q, md5 }) => toItem(q, md5)),
        );
        hookFree.forEach(({ q }, i) => {
          const r = results[i]!;
          remember(q, r);
          if (r.outcome === "guarded") {
            recordAlone(q); // a changed config, or discrepancies to weigh
          } else {
            q.settle({ recorded: r.outcome === "recorded" });
          }
        });
      } catch (err) {
        failAll(
          hookFree.map(({ q }) => q),
          err,
        );
      }
    }
    if (withHook.length > 0) {
      await writeWithHook(withHook);
    }
  };

  const drain = async () => {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        // write() settles every run itself; this only catches a bug, so no run waits forever
        await write(batch).catch((err: unknown) =>
          batch.forEach((q) => q.fail(err)),
        );
      }
    } finally {
      running = false;
    }
  };

  return {
    record(request) {
      const { outcome } = request;
      if (outcome.kind === "cancelled" && outcome.reason === "lease_lost") {
        return Promise.resolve({ recorded: false });
      }
      const plan = planRecord({ ...request, workerId: o.workerId });
      if (plan.findings.length > 0) {
        return recordOutcome({
          db: o.db,
          ...request,
          workerId: o.workerId,
          afterRecord: o.afterRecord,
        });
      }
      return new Promise((resolve, reject) => {
        queue.push({
          request,
          plan,
          settle: (r) => void Promise.resolve(r).then(resolve, reject),
          fail: reject,
        });
        if (!running && queue.length === 1) {
          // runs finishing within the linger share the statement (0: the next event-loop turn)
          if (lingerMs > 0) {
            setTimeout(() => void drain(), lingerMs);
          } else {
            setImmediate(() => void drain());
          }
        }
      });
    },
  };
}
