import {
  fireTimesBetween,
  nextFireTimes,
  planMissedRuns,
  SchedulingError,
  type PlannedRun,
} from "@vigil/scheduling";
import type { ScheduleToMaterialize } from "@vigil/db";

export interface PlanOptions {
  /** The pass's instant (database clock). */
  now: Date;
  /** Fires up to now + horizonMs are materialized (and at least the next one). */
  horizonMs: number;
  /** Bound on catch-up runs for `run_all`. */
  maxCatchup: number;
  /** Bound on future fires made for one schedule in one pass; the next pass continues. */
  maxFiresPerPass: number;
}

export type SchedulePlan =
  | {
      kind: "planned";
      runs: PlannedRun[];
      materializedUntil: Date;
      nextUnmaterializedAt: Date | null;
    }
  | { kind: "invalid"; reason: string };

/**
 * Which triggers one schedule needs now (pure: time comes in as `now`).
 *
 * - New or changed (no cursor, or a cursor of another version): fires after `now` only; a
 *   definition takes effect when it is first seen and never catches up on the past.
 * - Otherwise, after downtime (cursor before now), the misfire policy decides what happens to
 *   the fires in (cursor, now]: the newest is the current fire time and always runs (source
 *   'schedule'); of the older, missed ones skip runs none, run_once the newest, run_all up to
 *   `maxCatchup`, oldest first, as source 'catchup' at their own fire times (planMissedRuns).
 * - Future fires: every fire in (max(cursor, now), now + horizon], and at least the next one
 *   after now, so that executors (and the API's queue) always see a schedule's next run.
 * The new cursor is the newest fire made; `nextUnmaterializedAt`, the one after it, tells the
 * next passes when there is something to make again.
 */
export function planSchedule(
  schedule: ScheduleToMaterialize,
  o: PlanOptions,
): SchedulePlan {
  const { cron_expression: cron, timezone } = schedule;
  const isNew =
    schedule.materialized_until === null ||
    schedule.materialized_version !== schedule.version;
  const cursor = isNew ? null : schedule.materialized_until;
  try {
    const missed = planMissedRuns({
      cron,
      timezone,
      policy: schedule.misfire_policy,
      lastFireAt: cursor,
      now: o.now,
      maxCatchup: o.maxCatchup,
    });
    const after = cursor !== null && cursor > o.now ? cursor : o.now;
    let future = fireTimesBetween({
      cron,
      timezone,
      after,
      until: new Date(o.now.getTime() + o.horizonMs),
      limit: o.maxFiresPerPass,
    });
    // No future fire made yet and none within the horizon: make the next one, however far.
    if (future.length === 0 && after === o.now) {
      future = nextFireTimes({ cron, timezone, after, count: 1 });
    }
    const newest = future.at(-1) ?? cursor;
    if (newest === null) {
      return {
        kind: "invalid",
        reason: `cron expression "${cron}" has no fire time left in the next 100 years`,
      };
    }
    const [next = null] = nextFireTimes({
      cron,
      timezone,
      after: newest,
      count: 1,
    });
    const runs: PlannedRun[] = [
      ...missed,
      ...future.map((fireAt) => ({ fireAt, source: "schedule" as const })),
    ];
    return {
      kind: "planned",
      runs,
      materializedUntil: newest,
      nextUnmaterializedAt: next,
    };
  } catch (raw) {
    if (raw instanceof SchedulingError && raw.code === "invalid_cron") {
      return {
        kind: "invalid",
        reason: `cron expression "${cron}": ${raw.message}`,
      };
    }
    if (raw instanceof SchedulingError && raw.code === "invalid_timezone") {
      return { kind: "invalid", reason: raw.message };
    }
    throw raw;
  }
}
