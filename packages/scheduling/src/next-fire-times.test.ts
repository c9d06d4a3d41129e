import { describe, expect, it } from "vitest";

import { SchedulingError } from "./errors.js";
import { fireTimesBetween, nextFireTimes } from "./next-fire-times.js";

function next(
  cron: string,
  after: string,
  count: number,
  timezone = "UTC",
): string[] {
  return nextFireTimes({ cron, timezone, after: new Date(after), count }).map(
    (d) => d.toISOString(),
  );
}

describe("nextFireTimes", () => {
  it("returns only fire times strictly after `after`", () => {
    expect(next("0 * * * *", "2026-01-01T10:00:00Z", 2)).toEqual([
      "2026-01-01T11:00:00.000Z",
      "2026-01-01T12:00:00.000Z",
    ]);
    expect(next("0 * * * *", "2026-01-01T09:59:59.999Z", 1)).toEqual([
      "2026-01-01T10:00:00.000Z",
    ]);
  });

  it("reads six fields as seconds first", () => {
    expect(next("*/10 * * * * *", "2026-01-01T00:00:00.500Z", 3)).toEqual([
      "2026-01-01T00:00:10.000Z",
      "2026-01-01T00:00:20.000Z",
      "2026-01-01T00:00:30.000Z",
    ]);
  });

  it("expands macros", () => {
    expect(next("@weekly", "2026-01-01T00:00:00Z", 1)).toEqual([
      "2026-01-04T00:00:00.000Z",
    ]);
    expect(next("@yearly", "2026-01-01T00:00:00Z", 1)).toEqual([
      "2027-01-01T00:00:00.000Z",
    ]);
    expect(next("@hourly", "2026-01-01T00:30:00Z", 1)).toEqual([
      "2026-01-01T01:00:00.000Z",
    ]);
  });

  it("runs L on the last day of each month, leap February included", () => {
    expect(next("0 0 L * *", "2028-01-31T00:00:00Z", 3)).toEqual([
      "2028-02-29T00:00:00.000Z",
      "2028-03-31T00:00:00.000Z",
      "2028-04-30T00:00:00.000Z",
    ]);
  });

  it("runs 5L on the last Friday and 1#2 on the second Monday", () => {
    expect(next("0 0 * * 5L", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-30T00:00:00.000Z",
      "2026-02-27T00:00:00.000Z",
    ]);
    expect(next("0 0 * * 1#2", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-12T00:00:00.000Z",
      "2026-02-09T00:00:00.000Z",
    ]);
  });

  it("runs on either day when both day-of-month and day-of-week are restricted", () => {
    expect(next("0 0 13 * 5", "2026-02-01T00:00:00Z", 3)).toEqual([
      "2026-02-06T00:00:00.000Z",
      "2026-02-13T00:00:00.000Z",
      "2026-02-20T00:00:00.000Z",
    ]);
  });

  it("reads month and weekday names in any case", () => {
    expect(next("0 12 1 jan,JUL *", "2026-02-01T00:00:00Z", 2)).toEqual([
      "2026-07-01T12:00:00.000Z",
      "2027-01-01T12:00:00.000Z",
    ]);
    expect(next("0 9 * * sat,SUN", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-03T09:00:00.000Z",
      "2026-01-04T09:00:00.000Z",
    ]);
  });

  it("finds rare fires years away: Feb 29 and a fifth Monday in February", () => {
    expect(next("0 0 29 2 *", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2028-02-29T00:00:00.000Z",
      "2032-02-29T00:00:00.000Z",
    ]);
    expect(next("0 0 * 2 1#5", "2026-01-01T00:00:00Z", 1)).toEqual([
      "2044-02-29T00:00:00.000Z",
    ]);
  });

  it("returns an empty list for count 0", () => {
    expect(next("* * * * *", "2026-01-01T00:00:00Z", 0)).toEqual([]);
  });

  it("throws a SchedulingError with a code for bad input", () => {
    const call =
      (cron: string, timezone: string, after: Date, count: number) => () =>
        nextFireTimes({ cron, timezone, after, count });
    expect(call("61 * * * *", "UTC", new Date(0), 1)).toThrow(
      expect.objectContaining({ code: "invalid_cron" }),
    );
    expect(call("* * * * *", "Mars/Olympus", new Date(0), 1)).toThrow(
      expect.objectContaining({ code: "invalid_timezone" }),
    );
    expect(call("* * * * *", "UTC", new Date(Number.NaN), 1)).toThrow(
      SchedulingError,
    );
    expect(call("* * * * *", "UTC", new Date(0), -1)).toThrow(
      "count must be a non-negative integer, got -1",
    );
  });
});

describe("fireTimesBetween", () => {
  it("excludes `after`, includes `until` and returns oldest first", () => {
    const fires = fireTimesBetween({
      cron: "*/15 * * * *",
      timezone: "UTC",
      after: new Date("2026-01-01T00:00:00Z"),
      until: new Date("2026-01-01T01:00:00Z"),
      limit: 10,
    });
    expect(fires.map((d) => d.toISOString())).toEqual([
      "2026-01-01T00:15:00.000Z",
      "2026-01-01T00:30:00.000Z",
      "2026-01-01T00:45:00.000Z",
      "2026-01-01T01:00:00.000Z",
    ]);
  });

  it("stops at `limit`, keeping the oldest", () => {
    const fires = fireTimesBetween({
      cron: "* * * * *",
      timezone: "Europe/London",
      after: new Date("2026-01-01T00:00:00Z"),
      until: new Date("2026-01-02T00:00:00Z"),
      limit: 2,
    });
    expect(fires.map((d) => d.toISOString())).toEqual([
      "2026-01-01T00:01:00.000Z",
      "2026-01-01T00:02:00.000Z",
    ]);
  });

  it("returns nothing when until is not after `after`", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    expect(
      fireTimesBetween({
        cron: "* * * * *",
        timezone: "UTC",
        after: at,
        until: at,
        limit: 5,
      }),
    ).toEqual([]);
  });
});

describe("lists whose items overlap", () => {
  it.each(["0 12 * * 0,7", "0 12 * * SUN,7", "0 12 * * 7,sun", "0 12 * * 7"])(
    "reads %s as every Sunday at noon (Sunday is 0 or 7)",
    (cron) => {
      // 2026-12-06 is a Sunday
      expect(next(cron, "2026-12-02T00:00:00Z", 2)).toEqual([
        "2026-12-06T12:00:00.000Z",
        "2026-12-13T12:00:00.000Z",
      ]);
    },
  );

  it("takes the union of overlapping ranges and repeated values", () => {
    // Fri 2026-12-04, Sat 05, Sun 06, then Fri 11
    expect(next("0 12 * * 0,5-7", "2026-12-03T13:00:00Z", 4)).toEqual([
      "2026-12-04T12:00:00.000Z",
      "2026-12-05T12:00:00.000Z",
      "2026-12-06T12:00:00.000Z",
      "2026-12-11T12:00:00.000Z",
    ]);
    expect(next("0 9-10,10-11 1,1 * *", "2026-12-02T00:00:00Z", 4)).toEqual([
      "2027-01-01T09:00:00.000Z",
      "2027-01-01T10:00:00.000Z",
      "2027-01-01T11:00:00.000Z",
      "2027-02-01T09:00:00.000Z",
    ]);
  });
});
