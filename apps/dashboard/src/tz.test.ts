import { describe, expect, it } from "vitest";

import { nextOffsetChange, offsetAt, wallClock } from "./tz.js";

describe("nextOffsetChange", () => {
  it("finds Berlin's spring change to the hour, weeks ahead", () => {
    const change = nextOffsetChange(
      "Europe/Berlin",
      new Date("2026-03-10T12:00:00Z"),
      42,
    );
    expect(change).toEqual({
      at: new Date("2026-03-29T01:00:00Z"),
      from: "GMT+01:00",
      to: "GMT+02:00",
    });
  });

  it("finds New York's autumn change", () => {
    const change = nextOffsetChange(
      "America/New_York",
      new Date("2026-10-20T00:00:00Z"),
      42,
    );
    expect(change?.at).toEqual(new Date("2026-11-01T06:00:00Z"));
    expect(change?.to).toBe("GMT-05:00");
  });

  it("finds none beyond the horizon, nor in a zone without DST", () => {
    expect(
      nextOffsetChange("Europe/Berlin", new Date("2026-12-06T00:00:00Z"), 42),
    ).toBeUndefined();
    expect(
      nextOffsetChange("UTC", new Date("2026-03-10T00:00:00Z"), 365),
    ).toBeUndefined();
    expect(
      nextOffsetChange("Asia/Tokyo", new Date("2026-03-10T00:00:00Z"), 365),
    ).toBeUndefined();
  });
});

describe("wallClock", () => {
  it("shows an instant as the zone's wall clock with its offset", () => {
    expect(wallClock("2026-03-29T01:30:00Z", "Europe/Berlin")).toBe(
      "2026-03-29 03:30:00 UTC+02:00",
    );
    expect(wallClock("2026-03-29T00:30:00Z", "Europe/Berlin")).toBe(
      "2026-03-29 01:30:00 UTC+01:00",
    );
    // Intl spells UTC itself "GMT" or "GMT+00:00" depending on the ICU version
    expect(offsetAt("UTC", new Date())).toMatch(/^GMT(\+00:00)?$/);
  });
});
