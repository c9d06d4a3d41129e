import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";

import { SchedulingError } from "./errors.js";
import { nextFireTimes } from "./next-fire-times.js";
import { validateCron } from "./validate-schedule.js";
import { validateTimezone } from "./validate-timezone.js";

/** Each case here was measured wrong in cron-parser 5.10.5; the expected values are ours. */
describe("what this package corrects in cron-parser 5.10.5", () => {
  it("does not lose 15 2 3 10 * in Australia/Lord_Howe in 2027 (cron-parser answers 2028)", () => {
    const fires = nextFireTimes({
      cron: "15 2 3 10 *",
      timezone: "Australia/Lord_Howe",
      after: new Date("2027-01-01T00:00:00Z"),
      count: 2,
    });
    // 02:15 falls in the 02:00 -> 02:30 gap, so it runs at 02:30 +11:00.
    expect(fires.map((d) => d.toISOString())).toEqual([
      "2027-10-02T15:30:00.000Z",
      "2028-10-02T15:15:00.000Z",
    ]);
  });

  it("does not lose 0 2 * * * on Lord Howe's 2027 spring-forward night", () => {
    const fires = nextFireTimes({
      cron: "0 2 * * *",
      timezone: "Australia/Lord_Howe",
      after: new Date("2027-10-01T00:00:00Z"),
      count: 3,
    });
    expect(fires.map((d) => d.toISOString())).toEqual([
      "2027-10-01T15:30:00.000Z",
      "2027-10-02T15:30:00.000Z",
      "2027-10-03T15:00:00.000Z",
    ]);
  });

  it("runs 02:30 on New York's spring-forward night at 03:00 EDT, not 03:30", () => {
    const [fire] = nextFireTimes({
      cron: "30 2 * * *",
      timezone: "America/New_York",
      after: new Date("2026-03-08T05:00:00Z"),
      count: 1,
    });
    expect(fire?.toISOString()).toBe("2026-03-08T07:00:00.000Z");
  });

  it("rejects the empty string, which cron-parser reads as every minute", () => {
    expect(validateCron("")).toEqual({
      ok: false,
      message: "cron expression is empty",
    });
    expect(() =>
      nextFireTimes({
        cron: "",
        timezone: "UTC",
        after: new Date("2026-01-01T00:00:00Z"),
        count: 1,
      }),
    ).toThrow(SchedulingError);
  });

  it("rejects UTC+3, which cron-parser accepts as a timezone", () => {
    expect(validateTimezone("UTC+3").ok).toBe(false);
    expect(() =>
      nextFireTimes({
        cron: "0 * * * *",
        timezone: "UTC+3",
        after: new Date("2026-01-01T00:00:00Z"),
        count: 1,
      }),
    ).toThrow(/fixed offset/);
  });

  it("names Mars/Olympus as an unknown zone instead of 'unhandled timestamp: Invalid Date'", () => {
    expect(() =>
      nextFireTimes({
        cron: "0 * * * *",
        timezone: "Mars/Olympus",
        after: new Date("2026-01-01T00:00:00Z"),
        count: 1,
      }),
    ).toThrow('timezone "Mars/Olympus" is not an IANA time zone name');
  });
});

/**
 * The day modifiers cron-parser 5.10.5 lacks or misreads, and what this package answers. Each
 * case first shows cron-parser's answer, so the test says when an upgrade changes it.
 */
describe("day modifiers cron-parser 5.10.5 lacks or misreads", () => {
  const firstFire = (cron: string) =>
    nextFireTimes({
      cron,
      timezone: "UTC",
      after: new Date("2026-01-01T00:00:00Z"),
      count: 1,
    })[0]?.toISOString();

  it.each([
    [
      "0 0 15W * *",
      /Invalid characters, got value: 15W/,
      "2026-01-15T00:00:00.000Z",
    ],
    [
      "0 0 LW * *",
      /Invalid characters, got value: LW/,
      "2026-01-30T00:00:00.000Z",
    ],
    ["0 0 L-2 * *", /got range NaN-2/, "2026-01-29T00:00:00.000Z"],
    [
      "0 0 * * FRI#L",
      /`#` and `L` special characters are incompatible/,
      "2026-01-30T00:00:00.000Z",
    ],
    [
      "0 0 * * 1#1,5#L",
      /`#` and `,` special characters are incompatible/,
      "2026-01-05T00:00:00.000Z",
    ],
  ])(
    "%s: cron-parser throws %s; here it first fires at %s",
    (cron, theirs, ours) => {
      expect(() => CronExpressionParser.parse(cron)).toThrow(theirs);
      expect(validateCron(cron).ok).toBe(true);
      expect(firstFire(cron)).toBe(ours);
    },
  );

  it("answers @Daily with the spelling to use instead of 'cannot resolve alias \"dai\"'", () => {
    expect(() => CronExpressionParser.parse("@Daily")).toThrow(
      'cannot resolve alias "dai"',
    );
    expect(validateCron("@Daily")).toEqual({
      ok: false,
      message:
        'unknown macro "@Daily": macros are case-sensitive, write "@daily"; allowed: @yearly @annually @monthly @weekly @daily @midnight @hourly',
    });
  });
});
