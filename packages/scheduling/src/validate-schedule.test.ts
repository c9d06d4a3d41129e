import { describe, expect, it } from "vitest";

import { validateCron, validateSchedule } from "./validate-schedule.js";

function messageOf(expr: string): string {
  const result = validateCron(expr);
  if (result.ok) {
    throw new Error(`expected "${expr}" to be rejected`);
  }
  return result.message;
}

describe("validateCron", () => {
  it("accepts five fields and reports five", () => {
    expect(validateCron("*/15 * * * *")).toEqual({ ok: true, fields: 5 });
  });

  it("accepts six fields with leading seconds and reports six", () => {
    expect(validateCron("*/10 * * * * *")).toEqual({ ok: true, fields: 6 });
  });

  it.each([
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
  ])("accepts the macro %s", (macro) => {
    expect(validateCron(macro)).toEqual({ ok: true, fields: 5 });
  });

  it.each([
    "0,15,30,45 9-17 * * 1-5",
    "0 0 1 JAN-MAR,jul *",
    "0 9 * * MON-FRI",
    "0 9 * * FRI-7",
    "0 12 * * 0,7",
    "0 12 * * SUN,7",
    "5/10 * * * *",
    "0 0 L * *",
    "0 0 1,L * *",
    "0 18 * * 5L",
    "0 18 * * FRIL",
    "0 9 * * 1#2",
    "0 9 ? * MON",
    "0 0 30 2 1",
    "0 0 29 2 *",
    "0 0 * 2 1#5",
  ])("accepts %s", (expr) => {
    expect(validateCron(expr).ok).toBe(true);
  });

  it("rejects the empty string instead of reading it as every minute", () => {
    expect(messageOf("")).toBe("cron expression is empty");
    expect(messageOf("   ")).toBe("cron expression is empty");
  });

  it("names the field, the value and the allowed range for an out-of-range value", () => {
    expect(messageOf("61 * * * *")).toBe(
      'minute field: "61" is out of range 0-59',
    );
    expect(messageOf("0 24 * * *")).toBe(
      'hour field: "24" is out of range 0-23',
    );
    expect(messageOf("0 0 32 * *")).toBe(
      'day-of-month field: "32" is out of range 1-31',
    );
    expect(messageOf("0 0 * 13 *")).toBe(
      'month field: "13" is out of range 1-12',
    );
    expect(messageOf("0 0 * * 8")).toBe(
      'day-of-week field: "8" is out of range 0-7',
    );
    expect(messageOf("60 * * * * *")).toBe(
      'second field: "60" is out of range 0-59',
    );
  });

  it("counts the fields when there are too few or too many", () => {
    expect(messageOf("* * * *")).toBe(
      "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 4",
    );
    expect(messageOf("1 2 3 4 5 6 7")).toMatch(
      /got 7; a 7th \(year\) field is not supported$/,
    );
  });

  it("rejects an expression that can never fire", () => {
    expect(messageOf("0 0 31 2 *")).toMatch(
      /^day-of-month field: "31" never occurs in month field "2".*can never fire$/,
    );
    expect(messageOf("0 0 30 2 *")).toMatch(/can never fire$/);
    expect(messageOf("0 0 31 4,6,9,11 *")).toMatch(/can never fire$/);
  });

  it("explains malformed lists, ranges, steps and names", () => {
    expect(messageOf("1,,2 * * * *")).toBe(
      'minute field: empty list item in "1,,2"',
    );
    expect(messageOf("5-2 * * * *")).toBe(
      'minute field: range "5-2" goes backwards; the start must not exceed the end',
    );
    expect(messageOf("*/0 * * * *")).toBe(
      'minute field: step "0" in "*/0" is out of range 1-60',
    );
    expect(messageOf("*/x * * * *")).toBe(
      'minute field: step "x" in "*/x" must be a whole number',
    );
    expect(messageOf("0 0 * * FOO")).toBe(
      'day-of-week field: "FOO" is not a number 0-7 or a name SUN-SAT',
    );
    expect(messageOf("0 0 * FOO *")).toBe(
      'month field: "FOO" is not a number 1-12 or a name JAN-DEC',
    );
    expect(messageOf("a * * * *")).toBe(
      'minute field: "a" is not a number 0-59',
    );
    expect(messageOf("0 9 * * SAT-SUN")).toBe(
      'day-of-week field: range "SAT-SUN" goes backwards; Sunday ends a range as 7, e.g. "SAT-7"',
    );
    expect(messageOf("? * * * *")).toBe(
      'minute field: "?" is only allowed in day-of-month and day-of-week',
    );
  });

  it("says which special characters are not supported", () => {
    expect(messageOf("H * * * *")).toBe(
      'minute field: "H": H (hashed values) is not supported',
    );
  });

  it("reads macros case-sensitively (OCPS 1.1) and names the spelling to use", () => {
    expect(messageOf("@Daily")).toBe(
      'unknown macro "@Daily": macros are case-sensitive, write "@daily"; allowed: @yearly @annually @monthly @weekly @daily @midnight @hourly',
    );
    expect(messageOf("@HOURLY")).toMatch(
      /^unknown macro "@HOURLY": macros are case-sensitive, write "@hourly"; /,
    );
  });

  it("rejects macros outside the standard seven", () => {
    expect(messageOf("@weekdays")).toBe(
      'unknown macro "@weekdays"; allowed: @yearly @annually @monthly @weekly @daily @midnight @hourly',
    );
  });

  it("recognizes @reboot and says why a schedule cannot use it", () => {
    expect(messageOf("@reboot")).toBe(
      'macro "@reboot" is not supported: a schedule fires at times of day, there is no startup to run at; allowed: @yearly @annually @monthly @weekly @daily @midnight @hourly',
    );
  });

  it("answers with a message, never a throw, for input that is not a string", () => {
    expect(validateCron(undefined as unknown as string)).toEqual({
      ok: false,
      message: "cron expression must be a string",
    });
  });
});

describe("validateSchedule", () => {
  it("accepts a valid cron with a valid timezone", () => {
    expect(
      validateSchedule({ cron: "0 9 * * 1-5", timezone: "Europe/London" }),
    ).toEqual({ ok: true, fields: 5 });
  });

  it("says which of the two is wrong", () => {
    expect(
      validateSchedule({ cron: "0 9 * * 1-5", timezone: "Mars/Olympus" }),
    ).toEqual({
      ok: false,
      field: "timezone",
      message: 'timezone "Mars/Olympus" is not an IANA time zone name',
    });
    expect(validateSchedule({ cron: "61 * * * *", timezone: "UTC" })).toEqual({
      ok: false,
      field: "cron",
      message: 'minute field: "61" is out of range 0-59',
    });
  });
});
