import type { CronSpec } from "./cron-spec.js";
import { SchedulingError } from "./errors.js";
import { visitFireTimes } from "./fire-times.js";
import { compileSchedule, readInstant } from "./next-fire-times.js";

export type MisfirePolicy = "skip" | "run_once" | "run_all";

export interface PlannedRun {
  fireAt: Date;
  source: "schedule" | "catchup";
}

export interface PlanMissedRunsOptions {
  cron: string;
  timezone: string;
  policy: MisfirePolicy;
  /** The newest fire time already materialized; null for a new schedule (nothing to catch up). */
  lastFireAt: Date | null;
  now: Date;
  /** Most catch-up runs `run_all` returns; the newest ones are kept. @default 100 */
  maxCatchup?: number;
}

/**
 * The runs owed for the fire times in (lastFireAt, now], which no trigger was made for (the
 * trigger-creator was down). The newest of them is the **current** fire time: its period is
 * now, and it runs whatever the policy, as an ordinary run (source "schedule"; the starting
 * deadline may still skip it). The older ones were **missed**, and the policy decides about
 * them, as source "catchup" runs that come before the current one:
 * - skip: none;
 * - run_once: one, at the newest missed fire time;
 * - run_all: every missed fire, oldest first; beyond `maxCatchup` the oldest are dropped,
 *   because after a long outage the recent state is what a check should look at.
 * Every run keeps its own fire time, so the (schedule_id, fire_at) unique key still makes
 * inserting it idempotent. Oldest first.
 * @throws SchedulingError for an invalid cron, timezone or argument.
 */
export function planMissedRuns(options: PlanMissedRunsOptions): PlannedRun[] {
  const { cron, timezone, policy, lastFireAt, now, maxCatchup = 100 } = options;
  const spec = compileSchedule(cron, timezone);
  const until = readInstant("now", now);
  if (!Number.isInteger(maxCatchup) || maxCatchup < 0) {
    throw new SchedulingError(
      "invalid_argument",
      `maxCatchup must be a non-negative integer, got ${String(maxCatchup)}`,
    );
  }
  if (lastFireAt === null) {
    return [];
  }
  const after = readInstant("lastFireAt", lastFireAt);
  const catchups = catchupCount(policy, maxCatchup);
  return toRuns(newestFireTimes(spec, timezone, after, until, catchups + 1));
}

function catchupCount(policy: MisfirePolicy, maxCatchup: number): number {
  switch (policy) {
    case "skip":
      return 0;
    case "run_once":
      return Math.min(1, maxCatchup);
    case "run_all":
      return maxCatchup;
    default:
      throw new SchedulingError(
        "invalid_argument",
        `unknown misfire policy "${String(policy)}"`,
      );
  }
}

/** The newest instant is the current fire time; the ones before it are catch-ups. */
function toRuns(instants: number[]): PlannedRun[] {
  return instants.map((t, i) => ({
    fireAt: new Date(t),
    source: i === instants.length - 1 ? "schedule" : "catchup",
  }));
}

/**
 * The newest `n` fire times in (after, until], oldest first. Fire times are only found
 * forwards, so windows ending at `until` grow 8x until they hold n fires or reach `after`.
 * Older fires are dropped as the walk goes, so memory stays at 2n even when a window holds
 * a week of per-second fires.
 */
function newestFireTimes(
  spec: CronSpec,
  timezone: string,
  after: number,
  until: number,
  n: number,
): number[] {
  if (n === 0 || until <= after) {
    return [];
  }
  for (let width = 60_000; ; width *= 8) {
    const from = Math.max(after, until - width);
    let kept: number[] = [];
    let seen = 0;
    visitFireTimes(spec, timezone, from, until, (t) => {
      kept.push(t);
      seen += 1;
      if (kept.length >= 2 * n) {
        kept = kept.slice(n);
      }
      return true;
    });
    if (seen >= n || from === after) {
      return kept.slice(-n);
    }
  }
}

export interface StartingDeadlineOptions {
  fireAt: Date;
  now: Date;
  /** null/undefined: no deadline, a late trigger still starts. */
  startingDeadlineSeconds: number | null | undefined;
}

/**
 * Kubernetes CronJob's startingDeadlineSeconds: a trigger not started within that many
 * seconds after its fire time is skipped. Exactly at the deadline it may still start.
 */
export function isPastStartingDeadline({
  fireAt,
  now,
  startingDeadlineSeconds,
}: StartingDeadlineOptions): boolean {
  if (
    startingDeadlineSeconds === null ||
    startingDeadlineSeconds === undefined
  ) {
    return false;
  }
  if (
    !Number.isFinite(startingDeadlineSeconds) ||
    startingDeadlineSeconds < 0
  ) {
    throw new SchedulingError(
      "invalid_argument",
      `startingDeadlineSeconds must be >= 0, got ${String(startingDeadlineSeconds)}`,
    );
  }
  return (
    readInstant("now", now) - readInstant("fireAt", fireAt) >
    startingDeadlineSeconds * 1000
  );
}
