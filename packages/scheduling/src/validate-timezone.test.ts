import { describe, expect, it } from "vitest";

import { validateTimezone } from "./validate-timezone.js";

describe("validateTimezone", () => {
  it.each([
    "UTC",
    "Etc/UTC",
    "GMT",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "US/Eastern",
    "Etc/GMT+3",
  ])("accepts the IANA name %s", (tz) => {
    expect(validateTimezone(tz)).toEqual({ ok: true });
  });

  it("rejects a made-up zone with a message instead of cron-parser's 'unhandled timestamp: Invalid Date'", () => {
    expect(validateTimezone("Mars/Olympus")).toEqual({
      ok: false,
      message: 'timezone "Mars/Olympus" is not an IANA time zone name',
    });
  });

  it("rejects UTC+3 and other fixed offsets, which cron-parser accepts", () => {
    expect(validateTimezone("UTC+3")).toEqual({
      ok: false,
      message:
        'timezone "UTC+3" is a fixed offset; use an IANA name such as "Europe/Berlin" or "Etc/GMT-3"',
    });
    expect(validateTimezone("+03:00").ok).toBe(false);
    expect(validateTimezone("GMT-5").ok).toBe(false);
  });

  it("rejects legacy POSIX-style zones such as EST5EDT and EST", () => {
    expect(validateTimezone("EST5EDT")).toEqual({
      ok: false,
      message:
        'timezone "EST5EDT" is a legacy abbreviation; use an Area/Location name such as "America/New_York"',
    });
    expect(validateTimezone("EST").ok).toBe(false);
  });

  it("rejects a wrongly cased name and says how to spell it", () => {
    expect(validateTimezone("america/new_york")).toEqual({
      ok: false,
      message:
        'timezone "america/new_york" is misspelled; write "America/New_York"',
    });
    expect(validateTimezone("utc")).toEqual({
      ok: false,
      message: 'timezone "utc" is misspelled; write "UTC"',
    });
  });

  it("rejects empty and padded names", () => {
    expect(validateTimezone("")).toEqual({
      ok: false,
      message: "timezone is empty",
    });
    expect(validateTimezone(" UTC")).toEqual({
      ok: false,
      message: 'timezone " UTC" has surrounding whitespace',
    });
  });
});
