/**
 * Reading the day-of-week items that name an occurrence within the month: `D#k` (the k-th
 * weekday D, k = 1-5), `D#L` and `DL` (the last one). D is 0-7 or a name, any case; `L` is
 * case-sensitive (OCPS 1.3 section 4). cron-parser 5 rejects `#L` and any list holding a `#`
 * item; here they are ordinary list items.
 */

import { DAY_OF_WEEK_RULE, readValue } from "./cron-fields.js";

export interface DayOfWeekSpecial {
  /** 0-6, Sunday = 0 (7 folded onto 0). */
  weekday: number;
  occurrence: number | "last";
}

/**
 * The special item, a message when the item is a malformed one (or uses `W`, which belongs
 * to day-of-month), or null when it is a plain value, range or step (checked elsewhere).
 */
export function readDayOfWeekSpecial(
  item: string,
): DayOfWeekSpecial | string | null {
  if (item === "L") {
    return `a bare "L" is not allowed in day-of-week; write "5L" or "FRI#L" for the last Friday`;
  }
  if (/^(\d+|L)W$/i.test(item)) {
    return `"${item}": W (nearest weekday) is only allowed in day-of-month`;
  }
  if (/^L-/.test(item)) {
    return `"${item}": L-n (days before the last day of the month) is only allowed in day-of-month`;
  }
  if (item.startsWith("#")) {
    return `"${item}": a weekday goes before "#", e.g. "FRI${item}"`;
  }
  const nth = /^(.+)#(.*)$/.exec(item);
  if (nth) {
    return readOccurrence(item, nth[1] as string, nth[2] as string);
  }
  const last = /^(.+)([Ll])$/.exec(item);
  if (last) {
    return readOccurrence(item, last[1] as string, last[2] as string);
  }
  return null;
}

function readOccurrence(
  item: string,
  dayText: string,
  occurrenceText: string,
): DayOfWeekSpecial | string {
  const day = readValue(DAY_OF_WEEK_RULE, dayText);
  if (typeof day === "string") {
    return `"${item}": ${day}`;
  }
  const weekday = day % 7;
  if (occurrenceText === "L") {
    return { weekday, occurrence: "last" };
  }
  if (occurrenceText === "l") {
    return `"${item}": L is case-sensitive; write "${item.slice(0, -1)}L"`;
  }
  if (/^[1-5]$/.test(occurrenceText)) {
    return { weekday, occurrence: Number(occurrenceText) };
  }
  return `"${item}": the occurrence after "#" must be 1-5 or L (last), e.g. "FRI#2" or "FRI#L"`;
}
