import { describe, expect, it } from "vitest";

import { nextFireTimes } from "./next-fire-times.js";
import { validateCron } from "./validate-schedule.js";

/** Fire times as ISO strings; every expected list below was worked out from a calendar by hand. */
function next(
  cron: string,
  timezone: string,
  after: string,
  count: number,
): string[] {
  return nextFireTimes({ cron, timezone, after: new Date(after), count }).map(
    (d) => d.toISOString().replace(".000Z", "Z"),
  );
}

function messageOf(expr: string): string {
  const result = validateCron(expr);
  if (result.ok) {
    throw new Error(`expected "${expr}" to be rejected`);
  }
  return result.message;
}

const JAN_1 = "2026-01-01T00:00:00Z";

describe("L-n: n days before the last day of the month", () => {
  it("runs two days before the last day", () => {
    expect(next("0 0 L-2 * *", "UTC", JAN_1, 3)).toEqual([
      "2026-01-29T00:00:00Z",
      "2026-02-26T00:00:00Z",
      "2026-03-29T00:00:00Z",
    ]);
  });

  it("skips months too short for the offset (L-30 is the 1st of 31-day months only)", () => {
    expect(next("0 0 L-30 * *", "UTC", JAN_1, 3)).toEqual([
      "2026-03-01T00:00:00Z",
      "2026-05-01T00:00:00Z",
      "2026-07-01T00:00:00Z",
    ]);
  });

  it("mixes with plain days and L in one list", () => {
    expect(next("0 0 1,15,L * *", "UTC", JAN_1, 3)).toEqual([
      "2026-01-15T00:00:00Z",
      "2026-01-31T00:00:00Z",
      "2026-02-01T00:00:00Z",
    ]);
    expect(next("0 0 L-1,L * *", "UTC", JAN_1, 3)).toEqual([
      "2026-01-30T00:00:00Z",
      "2026-01-31T00:00:00Z",
      "2026-02-27T00:00:00Z",
    ]);
  });

  it("rejects an offset past the length of any month, naming the rule", () => {
    expect(messageOf("0 0 L-40 * *")).toBe(
      'day-of-month field: "L-40": the offset after "L-" (days before the last day of the month) must be 1-30',
    );
    expect(messageOf("0 0 L-0 * *")).toMatch(/"L-0": the offset after "L-"/);
    expect(messageOf("0 0 L-30 2 *")).toBe(
      'day-of-month field: "L-30" never occurs in month field "2" (with day-of-week "*"); the expression can never fire',
    );
  });
});

describe("W and LW in one month at a time", () => {
  it("keeps W inside February in leap and common years (29W, 2028 and 2032)", () => {
    // 2028-02-29 is a Tuesday; 2032-02-29 is a Sunday and the last day, so the Friday before.
    expect(next("0 0 29W 2 *", "UTC", JAN_1, 2)).toEqual([
      "2028-02-29T00:00:00Z",
      "2032-02-27T00:00:00Z",
    ]);
  });

  it("runs LW on the Friday before a weekend month end (February 2027 ends on a Sunday)", () => {
    expect(next("0 0 LW 2 *", "UTC", JAN_1, 2)).toEqual([
      "2026-02-27T00:00:00Z",
      "2027-02-26T00:00:00Z",
    ]);
  });

  it("works with the seconds field", () => {
    expect(next("30 0 12 LW * *", "UTC", JAN_1, 1)).toEqual([
      "2026-01-30T12:00:30Z",
    ]);
  });

  it("names the field, the value and the rule for bad uses", () => {
    expect(messageOf("0 0 32W * *")).toBe(
      'day-of-month field: "32W": W (nearest weekday) takes a day 1-31, e.g. "15W"',
    );
    expect(messageOf("0 0 0W * *")).toBe(
      'day-of-month field: "0W": W (nearest weekday) takes a day 1-31, e.g. "15W"',
    );
    expect(messageOf("0 0 * * 15W")).toBe(
      'day-of-week field: "15W": W (nearest weekday) is only allowed in day-of-month',
    );
    expect(messageOf("0 0 * * LW")).toBe(
      'day-of-week field: "LW": W (nearest weekday) is only allowed in day-of-month',
    );
    expect(messageOf("0 0 */2W * *")).toBe(
      'day-of-month field: "*/2W": W (nearest weekday) takes a single day 1-31 or L ("LW"), not a range or step',
    );
    expect(messageOf("0 0 W * *")).toMatch(
      /^day-of-month field: "W" is not a day-of-month value: write 1-31, L \(last day\)/,
    );
  });
});

describe("# and L in day-of-week", () => {
  it("accepts several occurrence items in one list, and plain weekdays beside them", () => {
    expect(next("0 9 * * MON#1,FRI#L", "UTC", JAN_1, 3)).toEqual([
      "2026-01-05T09:00:00Z",
      "2026-01-30T09:00:00Z",
      "2026-02-02T09:00:00Z",
    ]);
    expect(next("0 9 * * 1#2,3", "UTC", JAN_1, 3)).toEqual([
      "2026-01-07T09:00:00Z",
      "2026-01-12T09:00:00Z",
      "2026-01-14T09:00:00Z",
    ]);
  });

  it("reads Sunday as 0 or 7 with # and L", () => {
    for (const cron of [
      "0 0 * * 7L",
      "0 0 * * 0L",
      "0 0 * * SUN#L",
      "0 0 * * 7#L",
    ]) {
      expect(next(cron, "UTC", JAN_1, 2), cron).toEqual([
        "2026-01-25T00:00:00Z",
        "2026-02-22T00:00:00Z",
      ]);
    }
  });

  it("combines with a restricted day-of-month by OR (either matching day fires)", () => {
    expect(next("0 0 15W * FRI#L", "UTC", JAN_1, 4)).toEqual([
      "2026-01-15T00:00:00Z",
      "2026-01-30T00:00:00Z",
      "2026-02-16T00:00:00Z",
      "2026-02-27T00:00:00Z",
    ]);
  });

  it("names the field, the value and the rule for bad uses", () => {
    expect(messageOf("0 0 * * FRI#6")).toBe(
      'day-of-week field: "FRI#6": the occurrence after "#" must be 1-5 or L (last), e.g. "FRI#2" or "FRI#L"',
    );
    expect(messageOf("0 0 * * FRI#0")).toMatch(
      /^day-of-week field: "FRI#0": the occurrence/,
    );
    expect(messageOf("0 0 * * FRI#")).toMatch(
      /^day-of-week field: "FRI#": the occurrence/,
    );
    expect(messageOf("0 0 * * FOO#2")).toBe(
      'day-of-week field: "FOO#2": "FOO" is not a number 0-7 or a name SUN-SAT',
    );
    expect(messageOf("0 0 * * fri#l")).toBe(
      'day-of-week field: "fri#l": L is case-sensitive; write "fri#L"',
    );
    expect(messageOf("0 0 * * #L")).toBe(
      'day-of-week field: "#L": a weekday goes before "#", e.g. "FRI#L"',
    );
    expect(messageOf("0 0 * * L-2")).toBe(
      'day-of-week field: "L-2": L-n (days before the last day of the month) is only allowed in day-of-month',
    );
    expect(messageOf("0 0 * * L")).toBe(
      'day-of-week field: a bare "L" is not allowed in day-of-week; write "5L" or "FRI#L" for the last Friday',
    );
  });
});

/** America/New_York 2026: 02:00 -> 03:00 on Mar 8; 02:00 -> 01:00 on Nov 1. London: 01:00 -> 02:00 on Mar 29; 02:00 -> 01:00 on Oct 25. */
describe("day modifiers keep the DST semantics of dst.test.ts", () => {
  it("runs a fixed time in the spring-forward gap once at the gap's end (second Sunday of March)", () => {
    expect(next("30 2 * 3 SUN#2", "America/New_York", JAN_1, 2)).toEqual([
      "2026-03-08T07:00:00Z",
      "2027-03-14T07:00:00Z",
    ]);
    expect(next("30 1 * 3 0L", "Europe/London", JAN_1, 2)).toEqual([
      "2026-03-29T01:00:00Z",
      "2027-03-28T01:00:00Z",
    ]);
  });

  it("runs a repeated fixed time once, on the first pass (first Sunday of November, L-6 in October)", () => {
    expect(next("30 1 * 11 SUN#1", "America/New_York", JAN_1, 2)).toEqual([
      "2026-11-01T05:30:00Z",
      "2027-11-07T05:30:00Z",
    ]);
    expect(next("30 1 L-6 10 *", "Europe/London", JAN_1, 1)).toEqual([
      "2026-10-25T00:30:00Z",
    ]);
  });

  it("keeps an interval schedule on real spacing on a last-Sunday transition day", () => {
    expect(
      next("*/30 * * 3 SUN#L", "Europe/London", "2026-03-28T23:45:00Z", 4),
    ).toEqual([
      "2026-03-29T00:00:00Z",
      "2026-03-29T00:30:00Z",
      "2026-03-29T01:00:00Z",
      "2026-03-29T01:30:00Z",
    ]);
  });
});

/** Phrases of cron-parser 5's own errors; none may reach a caller. */
const CRON_PARSER_PHRASES =
  /Constraint error|Validation error|Invalid characters|got value|NaN|cannot resolve alias|duplicate values|unexpected standalone|incompatible|could not be expanded/;

describe("every combination of day items", () => {
  const dom = [
    "*",
    "?",
    "1",
    "31",
    "L",
    "L-2",
    "L-0",
    "L-31",
    "LW",
    "15W",
    "W",
    "1-5",
    "*/5",
    "l",
    "15w",
    "1,L",
    "15W,1",
    "L-2,L",
    "32W",
    "0W",
    "LW,L",
    "L-",
    "-L",
    "1-L",
    "L/2",
    "1-15W",
  ];
  const dow = [
    "*",
    "?",
    "0",
    "7",
    "SUN",
    "5L",
    "FRI#L",
    "5#3",
    "1#1,5#L",
    "L",
    "#",
    "1#",
    "#1",
    "5W",
    "7L",
    "8L",
    "fri#l",
    "MON-FRI",
    "SUN,7",
    "5-7",
    "1#0",
    "1#6",
    "FRI#L,SAT",
    "SAT-SUN",
  ];
  const months = ["*", "2", "4,6"];

  it("never throws; a rejection names a field and never quotes cron-parser; an acceptance fires", () => {
    let accepted = 0;
    for (const d of dom) {
      for (const w of dow) {
        for (const m of months) {
          const cron = `0 0 ${d} ${m} ${w}`;
          const result = validateCron(cron);
          if (!result.ok) {
            expect(result.message, cron).toMatch(
              /^(day-of-month|day-of-week) field: /,
            );
            expect(result.message, cron).not.toMatch(CRON_PARSER_PHRASES);
            continue;
          }
          accepted++;
          expect(next(cron, "UTC", JAN_1, 1), cron).toHaveLength(1);
        }
      }
    }
    expect(accepted).toBeGreaterThan(200);
  });
});
