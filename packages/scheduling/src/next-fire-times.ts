import type { CronSpec } from "./cron-spec.js";
import { SchedulingError } from "./errors.js";
import { visitFireTimes } from "./fire-times.js";
import { parseCron } from "./parse-cron.js";
import { validateTimezone } from "./validate-timezone.js";

export interface NextFireTimesOptions {
  cron: string;
  timezone: string;
  /** Exclusive: a fire at exactly `after` is not returned. */
  after: Date;
  count: number;
}

export interface FireTimesBetweenOptions {
  cron: string;
  timezone: string;
  /** Exclusive lower bound. */
  after: Date;
  /** Inclusive upper bound. */
  until: Date;
  limit: number;
}

/**
 * The next `count` fire times strictly after `after`, oldest first, with the DST rules of
 * the README. Fewer are returned only when the expression has no more fires within 100 years.
 * @throws SchedulingError for an invalid cron, timezone or argument (validate first).
 */
export function nextFireTimes({
  cron,
  timezone,
  after,
  count,
}: NextFireTimesOptions): Date[] {
  const spec = compileSchedule(cron, timezone);
  const from = readInstant("after", after);
  const max = readCount("count", count);
  return collectFireTimes(spec, timezone, from, Number.POSITIVE_INFINITY, max);
}

/**
 * Fire times t with after < t <= until, oldest first, at most `limit` of them.
 * @throws SchedulingError for an invalid cron, timezone or argument (validate first).
 */
export function fireTimesBetween({
  cron,
  timezone,
  after,
  until,
  limit,
}: FireTimesBetweenOptions): Date[] {
  const spec = compileSchedule(cron, timezone);
  const from = readInstant("after", after);
  const to = readInstant("until", until);
  const max = readCount("limit", limit);
  return collectFireTimes(spec, timezone, from, to, max);
}

function collectFireTimes(
  spec: CronSpec,
  timezone: string,
  after: number,
  until: number,
  max: number,
): Date[] {
  const out: Date[] = [];
  if (max === 0) {
    return out;
  }
  visitFireTimes(spec, timezone, after, until, (instant) => {
    out.push(new Date(instant));
    return out.length < max;
  });
  return out;
}

export function compileSchedule(cron: string, timezone: string): CronSpec {
  const parsed = parseCron(cron);
  if (!parsed.ok) {
    throw new SchedulingError("invalid_cron", parsed.message);
  }
  const tz = validateTimezone(timezone);
  if (!tz.ok) {
    throw new SchedulingError("invalid_timezone", tz.message);
  }
  return parsed.spec;
}

export function readInstant(name: string, value: Date): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new SchedulingError(
      "invalid_argument",
      `${name} must be a valid Date`,
    );
  }
  return ms;
}

function readCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new SchedulingError(
      "invalid_argument",
      `${name} must be a non-negative integer, got ${String(value)}`,
    );
  }
  return value;
}
