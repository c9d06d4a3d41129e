/**
 * The compiled form of a cron expression and the one search it supports: the next local
 * wall-clock time that matches. Wall-clock times are milliseconds on a zone-less clock
 * (read with getUTC*), so calendar arithmetic here never sees an offset; mapping wall
 * times to instants is fire-times.ts's job.
 */

export interface CronSpec {
  /** next[v] = smallest allowed value >= v, or -1 when none is left in the field. */
  nextSecond: Int8Array;
  nextMinute: Int8Array;
  nextHour: Int8Array;
  months: boolean[];
  /** cron-parser's rule: a field is unrestricted only when written as `*` or `?`. */
  domRestricted: boolean;
  dowRestricted: boolean;
  dom: boolean[];
  domLast: boolean;
  /** dow[0..6], Sunday = 0 (7 folded onto 0). */
  dow: boolean[];
  /** `nL`: the last weekday n of the month. */
  dowLast: boolean[];
  /** `n#k`: k, or 0 when the field has no `#`. */
  nth: number;
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

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day-of-month/day-of-week match with cron-parser's OR rule when both are restricted. */
function matchesDayOf(
  spec: CronSpec,
  day: number,
  weekday: number,
  monthDays: number,
): boolean {
  const domMatch =
    spec.dom[day] === true || (spec.domLast && day === monthDays);
  const dowMatch =
    (spec.dow[weekday] === true &&
      (spec.nth <= 0 || Math.ceil(day / 7) === spec.nth)) ||
    (spec.dowLast[weekday] === true && day + 7 > monthDays);
  if (spec.domRestricted && spec.dowRestricted) {
    return domMatch || dowMatch;
  }
  if (spec.domRestricted) {
    return domMatch;
  }
  if (spec.dowRestricted) {
    return dowMatch;
  }
  return true;
}

/** First matching day >= `day` in the month, or -1; walks weekdays arithmetically (no Date per day). */
function nextMatchingDay(
  spec: CronSpec,
  year: number,
  month: number,
  day: number,
): number {
  const monthDays = daysInMonth(year, month);
  let weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  for (let d = day; d <= monthDays; d++) {
    if (matchesDayOf(spec, d, weekday, monthDays)) {
      return d;
    }
    weekday = weekday === 6 ? 0 : weekday + 1;
  }
  return -1;
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
    const matchingDay = nextMatchingDay(spec, year, month, day);
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
