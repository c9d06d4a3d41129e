/**
 * The compiled form of a cron expression and the one search it supports: the next local
 * wall-clock time that matches. Wall-clock times are milliseconds on a zone-less clock
 * (read with getUTC*), so calendar arithmetic here never sees an offset; mapping wall
 * times to instants is fire-times.ts's job.
 */

import { nextMatchingDay, type DayRules } from "./day-rules.js";

export interface CronSpec {
  /** next[v] = smallest allowed value >= v, or -1 when none is left in the field. */
  nextSecond: Int8Array;
  nextMinute: Int8Array;
  nextHour: Int8Array;
  months: boolean[];
  days: DayRules;
  /** See README "DST": fixed-time schedules get the skip/repeat rules, interval ones run by real time. */
  fixedTime: boolean;
}

const DAY_MS = 86_400_000;

export function buildNextTable(
  values: readonly number[],
  size: number,
): Int8Array {
  const table = new Int8Array(size).fill(-1);
  let next = -1;
  const allowed = new Set(values);
  for (let v = size - 1; v >= 0; v--) {
    if (allowed.has(v)) {
      next = v;
    }
    table[v] = next;
  }
  return table;
}

/**
 * Smallest matching wall time w with from <= w < to (whole seconds), or null.
 * Jumps field by field (month, day, hour, minute, second) instead of stepping minutes,
 * so a daily schedule costs a handful of iterations per call.
 */
export function nextMatchingWall(
  spec: CronSpec,
  from: number,
  to: number,
): number | null {
  let t = Math.ceil(from / 1000) * 1000;
  while (t < to) {
    const d = new Date(t);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    if (spec.months[month] !== true) {
      t = Date.UTC(year, month, 1);
      continue;
    }
    const matchingDay = nextMatchingDay(spec.days, year, month, day);
    if (matchingDay < 0) {
      t = Date.UTC(year, month, 1);
      continue;
    }
    if (matchingDay !== day) {
      t = Date.UTC(year, month - 1, matchingDay);
      continue;
    }
    const hour = d.getUTCHours();
    const nextHour = spec.nextHour[hour] as number;
    if (nextHour < 0) {
      t = Date.UTC(year, month - 1, day + 1);
      continue;
    }
    if (nextHour !== hour) {
      t = Date.UTC(year, month - 1, day, nextHour);
      continue;
    }
    const minute = d.getUTCMinutes();
    const nextMinute = spec.nextMinute[minute] as number;
    if (nextMinute < 0) {
      t = Date.UTC(year, month - 1, day, hour + 1);
      continue;
    }
    if (nextMinute !== minute) {
      t = Date.UTC(year, month - 1, day, hour, nextMinute);
      continue;
    }
    const nextSecond = spec.nextSecond[d.getUTCSeconds()] as number;
    if (nextSecond < 0) {
      t = Date.UTC(year, month - 1, day, hour, minute + 1);
      continue;
    }
    const found = Date.UTC(year, month - 1, day, hour, minute, nextSecond);
    return found < to ? found : null;
  }
  return null;
}

/**
 * Whether any day in a full 400-year Gregorian cycle matches, i.e. whether the expression
 * can ever fire (hours, minutes and seconds always have a value once the syntax passed).
 */
export function canEverFire(spec: CronSpec): boolean {
  const start = Date.UTC(2001, 0, 1);
  return nextMatchingWall(spec, start, start + 146_097 * DAY_MS) !== null;
}
