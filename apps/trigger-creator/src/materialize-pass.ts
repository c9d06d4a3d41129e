import {
  advanceScheduleCursors,
  cancelOrphanedTriggers,
  cancelStaleTriggers,
  cancelSuspendedScheduleTriggers,
  inTransaction,
  insertScheduledTriggers,
  listSchedulesToMaterialize,
  lockSchedulesForMaterialize,
  markSchedulesInvalid,
  readDatabaseTime,
  settleMissedTriggers,
  type Db,
  type InvalidScheduleMark,
  type ScheduleCursor,
  type ScheduledTriggerInput,
  type ScheduleToMaterialize,
  type SettleMissedResult,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

import { planSchedule, type PlanOptions } from "./plan-schedule.js";

export interface MaterializeOptions {
  /** The least lookahead: executors and the API always see this much of upcoming runs. */
  horizonSeconds: number;
  /**
   * How often the creator runs a full pass. A full pass materializes horizon + refresh ahead,
   * so the lookahead never drops below the horizon until the next one; between full passes
   * only new and changed schedules are read (cheap: a partial index holds just those).
   * @default 0 (a pass makes exactly the horizon; the service sets half the horizon)
   */
  refreshSeconds?: number;
  /** Schedules read, planned and written per round trip. */
  batchSize: number;
  maxCatchup: number;
  /**
   * Batches written at once, each in its own transaction on its own connection, while the
   * next batch is read and planned. Batches hold disjoint schedules, so they never wait on
   * each other; 2 lets PostgreSQL use a second core (bench/trigger-creator). @default 2
   */
  writeConcurrency?: number;
  /**
   * Future fires made for one schedule per pass. A per-second schedule with a 5-minute
   * horizon needs 300; the bound keeps one odd schedule from filling a batch's memory.
   * @default 1000
   */
  maxFiresPerPass?: number;
}

export interface PassStats {
  now: Date;
  /** Schedules that needed work (read and planned). */
  schedules: number;
  /** Trigger rows inserted or revived. */
  triggers: number;
  catchup: number;
  /** Pending triggers cancelled: changed, suspended or deleted schedules. */
  cancelled: number;
  /** Missed fire times of existing triggers skipped by their misfire policy ("missed: ..."). */
  missedSkipped: number;
  /** Missed fire times of existing triggers kept as catch-up runs. */
  missedCaughtUp: number;
  /** Triggers of forbid schedules held behind a catch-up (net of those released). */
  held: number;
  released: number;
  /** Schedules newly found invalid (each is logged once). */
  invalid: number;
  batches: number;
  durationMs: number;
  /** True when the pass stopped early because its signal was aborted (leadership lost, stop). */
  aborted: boolean;
}

export interface MaterializePassDeps {
  db: Db;
  logger: Logger;
  options: MaterializeOptions;
  /** Aborted: stop after the current batch. */
  signal: AbortSignal;
  /** The pass's instant. @default the database clock (one clock for every replica) */
  now?: Date;
  /**
   * "all": every schedule with something to make (full pass). "changed": only new, changed
   * and suspended ones, for NOTIFY wake-ups and the poll. @default "all"
   */
  scope?: "all" | "changed";
}

/**
 * One full materialization pass over every schedule that needs work, in id-ordered batches:
 * per batch, one read, then in one transaction one cancel (changed schedules), one multi-row
 * insert, one cursor update and, rarely, one invalid-marking statement; up to
 * `writeConcurrency` batches are written while the next one is read and planned. Time is the
 * database clock read once at the start. Stops between batches when `signal` aborts; whatever it wrote is complete and idempotent.
 */
export async function runMaterializePass({
  db,
  logger,
  options,
  signal,
  now: fixedNow,
  scope = "all",
}: MaterializePassDeps): Promise<PassStats> {
  const started = performance.now();
  const now = fixedNow ?? (await readDatabaseTime(db));
  const stats: PassStats = {
    now,
    schedules: 0,
    triggers: 0,
    catchup: 0,
    cancelled: 0,
    missedSkipped: 0,
    missedCaughtUp: 0,
    held: 0,
    released: 0,
    invalid: 0,
    batches: 0,
    durationMs: 0,
    aborted: false,
  };
  const suspended = await cancelSuspendedScheduleTriggers(db);
  stats.cancelled += suspended.cancelled + (await cancelOrphanedTriggers(db));

  const plan: PlanOptions = {
    now,
    horizonMs: (options.horizonSeconds + (options.refreshSeconds ?? 0)) * 1000,
    maxCatchup: options.maxCatchup,
    maxFiresPerPass: options.maxFiresPerPass ?? 1000,
  };
  const until = new Date(now.getTime() + plan.horizonMs);
  const concurrency = Math.max(1, options.writeConcurrency ?? 2);
  const writing = new Set<Promise<void>>();
  let failure: unknown;
  let afterId = 0;
  for (;;) {
    if (signal.aborted) {
      stats.aborted = true;
      break;
    }
    const batch = await listSchedulesToMaterialize(db, {
      afterId,
      limit: options.batchSize,
      until,
      onlyChanged: scope === "changed",
    });
    const last = batch.at(-1);
    if (last === undefined) {
      break;
    }
    afterId = last.id;
    const write: Promise<void> = materializeBatch(
      db,
      logger,
      batch,
      plan,
      stats,
    )
      .catch((err: unknown) => void (failure ??= err))
      .finally(() => writing.delete(write));
    writing.add(write);
    if (writing.size >= concurrency) {
      await Promise.race(writing);
    }
    if (failure !== undefined || batch.length < options.batchSize) {
      break;
    }
  }
  await Promise.all(writing);
  if (failure !== undefined) {
    throw failure instanceof Error
      ? failure
      : new Error("a batch write failed", { cause: failure });
  }
  // Fire times that exist as triggers but were missed (executors down or full): the misfire
  // policy decides, and catch-ups of forbid schedules run before the current fire time.
  if (!signal.aborted) {
    addSettled(
      stats,
      await settleMissedTriggers(db, { now, maxCatchup: options.maxCatchup }),
    );
  }
  stats.durationMs = Math.round(performance.now() - started);
  return stats;
}

async function materializeBatch(
  db: Db,
  logger: Logger,
  batch: ScheduleToMaterialize[],
  plan: PlanOptions,
  stats: PassStats,
): Promise<void> {
  const triggers: ScheduledTriggerInput[] = [];
  // schedules that were behind: their new past runs and older pending triggers are settled
  const pastRuns: number[] = [];
  const cursors: ScheduleCursor[] = [];
  const invalid: InvalidScheduleMark[] = [];
  for (const schedule of batch) {
    const result = planSchedule(schedule, plan);
    if (result.kind === "invalid") {
      if (
        schedule.invalid_reason !== result.reason ||
        schedule.materialized_version !== schedule.version ||
        schedule.materialized_until !== null
      ) {
        invalid.push({
          scheduleId: schedule.id,
          version: schedule.version,
          reason: result.reason,
        });
      }
      if (schedule.invalid_reason !== result.reason) {
        stats.invalid += 1;
        logger.warn(
          {
            scheduleId: schedule.id,
            projectId: schedule.project_id,
            reason: result.reason,
          },
          "schedule cannot be scheduled; marked invalid",
        );
      }
      continue;
    }
    for (const run of result.runs) {
      triggers.push({
        scheduleId: schedule.id,
        fireAt: run.fireAt,
        source: run.source,
        maxAttempts: schedule.max_attempts,
        scheduleVersion: schedule.version,
      });
      if (run.source === "catchup") {
        stats.catchup += 1;
      }
      if (run.fireAt <= plan.now) {
        pastRuns.push(schedule.id);
      }
    }
    cursors.push({
      scheduleId: schedule.id,
      version: schedule.version,
      materializedUntil: result.materializedUntil,
      nextUnmaterializedAt: result.nextUnmaterializedAt,
    });
  }
  // One transaction: materialized_version must never claim less than the triggers that exist.
  const changed = batch.filter(
    (s) =>
      s.materialized_version !== null && s.materialized_version !== s.version,
  );
  // Retried whole on a deadlock or serialization failure: every statement is idempotent.
  const written = await inTransaction(db, async (trx) => {
    // The lock order of every project write: projects, then schedules, then their triggers.
    await lockSchedulesForMaterialize(trx, batch);
    // Cancel before inserting, so a fire time the new definition keeps is revived, not left cancelled.
    const cancelled = await cancelStaleTriggers(
      trx,
      changed.map((s) => ({ scheduleId: s.id, version: s.version })),
    );
    const inserted = await insertScheduledTriggers(trx, triggers);
    await advanceScheduleCursors(trx, cursors);
    await markSchedulesInvalid(trx, invalid);
    // In the same transaction, so no claim sees new catch-ups before the later runs of their
    // schedule are held behind them (and the older pending triggers they supersede are settled).
    const settled =
      pastRuns.length === 0
        ? null
        : await settleMissedTriggers(trx, {
            now: plan.now,
            maxCatchup: plan.maxCatchup,
            scheduleIds: [...new Set(pastRuns)],
          });
    return { cancelled, inserted, settled };
  });
  // Counted after the await: batches run concurrently, and `x += await f()` would lose updates.
  stats.cancelled += written.cancelled;
  stats.triggers += written.inserted;
  if (written.settled !== null) {
    addSettled(stats, written.settled);
  }
  stats.schedules += batch.length;
  stats.batches += 1;
}

function addSettled(stats: PassStats, settled: SettleMissedResult): void {
  stats.missedSkipped += settled.skipped;
  stats.missedCaughtUp += settled.caughtUp;
  stats.held += settled.held;
  stats.released += settled.released;
}
