/**
 * Reading the day-of-month items cron-parser 5 does not handle itself: `L` (last day),
 * `L-n` (n days before it), `nW` (weekday nearest to day n) and `LW` (last weekday).
 * `L` and `W` are case-sensitive (OCPS 1.3 section 4); a lowercase one gets a message
 * that says so rather than "not a number".
 */

export type DayOfMonthSpecial =
  | { kind: "from-end"; offset: number }
  | { kind: "nearest-weekday"; day: number | "last" };

/** The largest useful `L-n`: the 31st is `L-30` in a 31-day month. */
const MAX_FROM_END = 30;

/**
 * The special item, a message when the item uses `L` or `W` wrongly, or null when it has
 * neither letter (a plain value, range or step, checked elsewhere).
 */
export function readDayOfMonthSpecial(
  item: string,
): DayOfMonthSpecial | string | null {
  if (!/[LW]/i.test(item)) {
    return null;
  }
  if (/[lw]/.test(item)) {
    const upper = item.toUpperCase();
    const fixed = readDayOfMonthSpecial(upper);
    return typeof fixed === "object" && fixed !== null
      ? `"${item}": L and W are case-sensitive; write "${upper}"`
      : (fixed ?? `"${item}" is not a number 1-31`);
  }
  if (item === "L") {
    return { kind: "from-end", offset: 0 };
  }
  if (item === "LW") {
    return { kind: "nearest-weekday", day: "last" };
  }
  const fromEnd = /^L-(\d+)$/.exec(item);
  if (fromEnd) {
    const offset = Number(fromEnd[1]);
    return offset >= 1 && offset <= MAX_FROM_END
      ? { kind: "from-end", offset }
      : `"${item}": the offset after "L-" (days before the last day of the month) must be 1-${MAX_FROM_END}`;
  }
  const nearest = /^(\d+)W$/.exec(item);
  if (nearest) {
    const day = Number(nearest[1]);
    return day >= 1 && day <= 31
      ? { kind: "nearest-weekday", day }
      : `"${item}": W (nearest weekday) takes a day 1-31, e.g. "15W"`;
  }
  if (/^[\d*]+(-[\dL]+)?(\/\d+)?W$/.test(item)) {
    return `"${item}": W (nearest weekday) takes a single day 1-31 or L ("LW"), not a range or step`;
  }
  return `"${item}" is not a day-of-month value: write 1-31, L (last day), L-n (n = 1-${MAX_FROM_END} days before it), nW (weekday nearest to day n) or LW (last weekday)`;
}
