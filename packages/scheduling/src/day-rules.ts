/**
 * Which days of a month a cron expression's day-of-month and day-of-week fields allow,
 * including the calendar modifiers cron-parser 5 lacks or rejects (`W`, `LW`, `L-n`, `#L`,
 * `#` in lists). Days are plain calendar numbers; no instant or zone is involved.
 */

/** Bit for the k-th occurrence (k = 1..5) of a weekday in `DayRules.dowOccurrences`. */
export function occurrenceBit(k: number): number {
  return 1 << k;
}

/** Bit for the last occurrence of a weekday in the month (`5L`, `FRI#L`). */
export const LAST_OCCURRENCE = 1 << 6;

export interface DayRules {
  /** Unrestricted only when written as `*` or `?` (cron-parser's rule, also Vixie's OR rule). */
  domRestricted: boolean;
  dowRestricted: boolean;
  /** dom[d]: plain day numbers 1..31. */
  dom: boolean[];
  /** fromEnd[n]: `L-n` (n days before the last day; `L` is n = 0). */
  fromEnd: boolean[];
  /** `nW`: the weekday nearest to day n; `"last"` for `LW`; null when absent. */
  nearestWeekday: number | "last" | null;
  /** dow[w]: every weekday w (Sunday = 0). */
  dow: boolean[];
  /** dowOccurrences[w]: occurrenceBit(k) and LAST_OCCURRENCE bits for `w#k`, `w#L`, `wL`. */
  dowOccurrences: number[];
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Quartz's `W`, as OCPS 1.3 section 4.3 states it: the target day itself when it is Monday to
 * Friday, the Friday before a Saturday, the Monday after a Sunday, never leaving the month
 * (a Saturday 1st moves to Monday the 3rd, a Sunday last day to the Friday before). A day the
 * month does not have (`31W` in April) matches nothing in that month.
 */
export function nearestWeekday(
  year: number,
  month: number,
  target: number | "last",
): number {
  const monthDays = daysInMonth(year, month);
  const day = target === "last" ? monthDays : target;
  if (day > monthDays) {
    return -1;
  }
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (weekday === 6) {
    return day === 1 ? 3 : day - 1;
  }
  if (weekday === 0) {
    return day === monthDays ? day - 2 : day + 1;
  }
  return day;
}

function domMatches(
  rules: DayRules,
  day: number,
  monthDays: number,
  weekdayTarget: number,
): boolean {
  return (
    rules.dom[day] === true ||
    rules.fromEnd[monthDays - day] === true ||
    day === weekdayTarget
  );
}

function dowMatches(
  rules: DayRules,
  day: number,
  weekday: number,
  monthDays: number,
): boolean {
  if (rules.dow[weekday] === true) {
    return true;
  }
  const occurrences = rules.dowOccurrences[weekday] as number;
  return (
    occurrences !== 0 &&
    ((occurrences & occurrenceBit(Math.ceil(day / 7))) !== 0 ||
      ((occurrences & LAST_OCCURRENCE) !== 0 && day + 7 > monthDays))
  );
}

/** First allowed day >= `day` in the month, or -1; walks weekdays arithmetically (no Date per day). */
export function nextMatchingDay(
  rules: DayRules,
  year: number,
  month: number,
  day: number,
): number {
  if (!rules.domRestricted && !rules.dowRestricted) {
    return day;
  }
  const monthDays = daysInMonth(year, month);
  const weekdayTarget =
    rules.nearestWeekday === null
      ? -1
      : nearestWeekday(year, month, rules.nearestWeekday);
  let weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  for (let d = day; d <= monthDays; d++) {
    // Both restricted: either matching fires (OCPS 1.0 section 6.1); one restricted: that one.
    if (
      (rules.domRestricted && domMatches(rules, d, monthDays, weekdayTarget)) ||
      (rules.dowRestricted && dowMatches(rules, d, weekday, monthDays))
    ) {
      return d;
    }
    weekday = weekday === 6 ? 0 : weekday + 1;
  }
  return -1;
}
