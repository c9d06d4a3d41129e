/** The UTC offset of `timeZone` at `at`, as Intl spells it: `GMT+01:00`, `GMT`. */
export function offsetAt(timeZone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    timeZoneName: "longOffset",
  }).formatToParts(at);
  return parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
}

export interface OffsetChange {
  /** The first hour seen with the new offset (precise to the hour). */
  at: Date;
  from: string;
  to: string;
}

const HOUR = 3_600_000;

/**
 * The next change of `timeZone`'s UTC offset within `days` of `from` (a DST start or end),
 * found by stepping a day at a time, then an hour at a time within that day. Undefined: none.
 */
export function nextOffsetChange(
  timeZone: string,
  from: Date,
  days: number,
): OffsetChange | undefined {
  const start = offsetAt(timeZone, from);
  for (let d = 1; d <= days; d++) {
    const day = new Date(from.getTime() + d * 24 * HOUR);
    const offset = offsetAt(timeZone, day);
    if (offset !== start) {
      let hour = day.getTime() - 24 * HOUR;
      while (offsetAt(timeZone, new Date(hour)) === start) {
        hour += HOUR;
      }
      return { at: new Date(hour), from: start, to: offset };
    }
  }
  return undefined;
}

/** `2026-03-29 02:00` as the wall clock of `timeZone`, with its offset. */
export function wallClock(iso: string, timeZone: string): string {
  const f = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const d = new Date(iso);
  return `${f.format(d).replace(",", "")} ${offsetAt(timeZone, d).replace("GMT", "UTC")}`;
}
