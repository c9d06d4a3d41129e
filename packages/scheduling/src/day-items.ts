/**
 * Splits the day-of-month and day-of-week fields of a syntax-checked expression into the
 * plain items cron-parser expands (values, ranges, steps, names, `*`, `?`) and the modifier
 * items compiled into DayRules here. A list may mix both (`1,15,L`, `MON#1,FRI#L,SUN`).
 */

import { readDayOfMonthSpecial } from "./day-of-month-items.js";
import { readDayOfWeekSpecial } from "./day-of-week-items.js";
import { LAST_OCCURRENCE, occurrenceBit } from "./day-rules.js";

export interface DayItems {
  /** The plain items as a list, or null when the field holds modifiers only. */
  domPlain: string | null;
  domHasSpecials: boolean;
  fromEnd: boolean[];
  nearestWeekday: number | "last" | null;
  dowPlain: string | null;
  dowHasSpecials: boolean;
  dowOccurrences: number[];
}

export function splitDayItems(dom: string, dow: string): DayItems {
  const fromEnd = new Array<boolean>(31).fill(false);
  let nearestWeekday: number | "last" | null = null;
  const domPlain: string[] = [];
  for (const item of dom.split(",")) {
    const special = readDayOfMonthSpecial(item);
    if (special === null) {
      domPlain.push(item);
    } else if (typeof special === "string") {
      throw new Error(
        `day-of-month item "${item}" reached compilation unchecked`,
      );
    } else if (special.kind === "from-end") {
      fromEnd[special.offset] = true;
    } else {
      nearestWeekday = special.day;
    }
  }
  const dowOccurrences = new Array<number>(7).fill(0);
  const dowPlain: string[] = [];
  for (const item of dow.split(",")) {
    const special = readDayOfWeekSpecial(item);
    if (special === null) {
      dowPlain.push(item);
    } else if (typeof special === "string") {
      throw new Error(
        `day-of-week item "${item}" reached compilation unchecked`,
      );
    } else {
      dowOccurrences[special.weekday] =
        (dowOccurrences[special.weekday] as number) |
        (special.occurrence === "last"
          ? LAST_OCCURRENCE
          : occurrenceBit(special.occurrence));
    }
  }
  return {
    domPlain: domPlain.length > 0 ? domPlain.join(",") : null,
    domHasSpecials: domPlain.length < dom.split(",").length,
    fromEnd,
    nearestWeekday,
    dowPlain: dowPlain.length > 0 ? dowPlain.join(",") : null,
    dowHasSpecials: dowPlain.length < dow.split(",").length,
    dowOccurrences,
  };
}
