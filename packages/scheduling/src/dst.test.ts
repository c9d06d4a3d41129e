import { describe, expect, it } from "vitest";

import { fireTimesBetween, nextFireTimes } from "./next-fire-times.js";

/** ISO strings of the next `count` fire times, so a failure shows readable instants. */
function next(
  cron: string,
  timezone: string,
  after: string,
  count: number,
): string[] {
  return nextFireTimes({ cron, timezone, after: new Date(after), count }).map(
    (d) => d.toISOString(),
  );
}

function between(
  cron: string,
  timezone: string,
  after: string,
  until: string,
): string[] {
  return fireTimesBetween({
    cron,
    timezone,
    after: new Date(after),
    until: new Date(until),
    limit: 1000,
  }).map((d) => d.toISOString());
}

// America/New_York 2026: 02:00 EST -> 03:00 EDT on Mar 8 (07:00Z); 02:00 EDT -> 01:00 EST on Nov 1 (06:00Z).
describe("America/New_York", () => {
  it("runs 02:30 once at 03:00 EDT on spring-forward night, then at 02:30 again", () => {
    expect(
      next("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 2),
    ).toEqual(["2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"]);
  });

  it("runs 01:30 once, on the first (EDT) pass, on fall-back night", () => {
    expect(
      next("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2),
    ).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  });

  it("keeps every-15-minutes on real 15-minute spacing across spring-forward", () => {
    expect(
      next("*/15 * * * *", "America/New_York", "2026-03-08T06:30:00Z", 3),
    ).toEqual([
      "2026-03-08T06:45:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:15:00.000Z",
    ]);
  });

  it("keeps every-15-minutes on real 15-minute spacing across fall-back, running the repeated hour twice", () => {
    expect(
      next("*/15 * * * *", "America/New_York", "2026-11-01T05:30:00Z", 5),
    ).toEqual([
      "2026-11-01T05:45:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:15:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T06:45:00.000Z",
    ]);
  });

  it("runs an hourly schedule every real hour across fall-back", () => {
    expect(
      between(
        "0 * * * *",
        "America/New_York",
        "2026-11-01T04:00:00Z",
        "2026-11-01T08:00:00Z",
      ),
    ).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T07:00:00.000Z",
      "2026-11-01T08:00:00.000Z",
    ]);
  });

  it("runs an hourly schedule every real hour across spring-forward, with no run for the missing 02:00", () => {
    expect(
      between(
        "0 * * * *",
        "America/New_York",
        "2026-03-08T05:00:00Z",
        "2026-03-08T08:00:00Z",
      ),
    ).toEqual([
      "2026-03-08T06:00:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T08:00:00.000Z",
    ]);
  });

  it("collapses a fixed-hour schedule's skipped 02:00-02:45 runs into one run at 03:00", () => {
    expect(
      next("*/15 2 * * *", "America/New_York", "2026-03-08T05:00:00Z", 2),
    ).toEqual(["2026-03-08T07:00:00.000Z", "2026-03-09T06:00:00.000Z"]);
  });

  it("runs once at 03:00 when both the skipped 02:00 and 03:00 itself are scheduled", () => {
    expect(
      next("0 2,3 * * *", "America/New_York", "2026-03-08T05:00:00Z", 3),
    ).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
      "2026-03-09T07:00:00.000Z",
    ]);
  });

  it("runs a fixed-hour schedule's repeated 01:xx minutes only on the first pass", () => {
    expect(
      next("*/15 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", 5),
    ).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:15:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T05:45:00.000Z",
      "2026-11-02T06:00:00.000Z",
    ]);
  });

  it("does not rerun a fixed time when asked from inside the repeated hour", () => {
    expect(
      next("45 1 * * *", "America/New_York", "2026-11-01T06:30:00Z", 1),
    ).toEqual(["2026-11-02T06:45:00.000Z"]);
  });

  it("keeps a seconds step on real spacing through both transitions", () => {
    expect(
      next("*/20 * * * * *", "America/New_York", "2026-03-08T06:59:40Z", 3),
    ).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:00:20.000Z",
      "2026-03-08T07:00:40.000Z",
    ]);
    expect(
      next("*/20 * * * * *", "America/New_York", "2026-11-01T05:59:20Z", 3),
    ).toEqual([
      "2026-11-01T05:59:40.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:00:20.000Z",
    ]);
  });
});

// Europe/London 2026: 01:00 GMT -> 02:00 BST on Mar 29 (01:00Z); 02:00 BST -> 01:00 GMT on Oct 25 (01:00Z).
describe("Europe/London", () => {
  it("runs 01:30 once at 02:00 BST on spring-forward night", () => {
    expect(
      next("30 1 * * *", "Europe/London", "2026-03-28T12:00:00Z", 2),
    ).toEqual(["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
  });

  it("runs 01:30 once, on the BST pass, on fall-back night", () => {
    expect(
      next("30 1 * * *", "Europe/London", "2026-10-24T12:00:00Z", 2),
    ).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
  });

  it("keeps every-30-minutes on real spacing in both directions", () => {
    expect(
      next("*/30 * * * *", "Europe/London", "2026-03-29T00:00:00Z", 3),
    ).toEqual([
      "2026-03-29T00:30:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-29T01:30:00.000Z",
    ]);
    expect(
      next("*/30 * * * *", "Europe/London", "2026-10-24T23:30:00Z", 4),
    ).toEqual([
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-25T01:30:00.000Z",
    ]);
  });
});

// Australia/Lord_Howe: a 30-minute shift. 2027-04-04 02:00 +11 -> 01:30 +10:30 (03 Apr 15:00Z);
// 2027-10-03 02:00 +10:30 -> 02:30 +11 (02 Oct 15:30Z).
describe("Australia/Lord_Howe", () => {
  it("runs 02:15 once at 02:30 on spring-forward night", () => {
    expect(
      next("15 2 * * *", "Australia/Lord_Howe", "2027-10-02T00:00:00Z", 2),
    ).toEqual(["2027-10-02T15:30:00.000Z", "2027-10-03T15:15:00.000Z"]);
  });

  it("runs 01:45 once, on the +11 pass, on fall-back night", () => {
    expect(
      next("45 1 * * *", "Australia/Lord_Howe", "2027-04-03T00:00:00Z", 2),
    ).toEqual(["2027-04-03T14:45:00.000Z", "2027-04-04T15:15:00.000Z"]);
  });

  it("keeps every-15-minutes on real spacing in both directions", () => {
    expect(
      next("*/15 * * * *", "Australia/Lord_Howe", "2027-10-02T15:15:00Z", 2),
    ).toEqual(["2027-10-02T15:30:00.000Z", "2027-10-02T15:45:00.000Z"]);
    expect(
      next("*/15 * * * *", "Australia/Lord_Howe", "2027-04-03T14:30:00Z", 4),
    ).toEqual([
      "2027-04-03T14:45:00.000Z",
      "2027-04-03T15:00:00.000Z",
      "2027-04-03T15:15:00.000Z",
      "2027-04-03T15:30:00.000Z",
    ]);
  });
});

// Pacific/Chatham: +12:45 / +13:45. 2026-04-05 03:45 -> 02:45 (04 Apr 14:00Z); 2026-09-27 02:45 -> 03:45 (26 Sep 14:00Z).
describe("Pacific/Chatham", () => {
  it("runs 03:00 once at 03:45 on spring-forward night", () => {
    expect(
      next("0 3 * * *", "Pacific/Chatham", "2026-09-26T00:00:00Z", 2),
    ).toEqual(["2026-09-26T14:00:00.000Z", "2026-09-27T13:15:00.000Z"]);
  });

  it("runs 03:00 once, on the +13:45 pass, on fall-back night", () => {
    expect(
      next("0 3 * * *", "Pacific/Chatham", "2026-04-04T00:00:00Z", 2),
    ).toEqual(["2026-04-04T13:15:00.000Z", "2026-04-05T14:15:00.000Z"]);
  });

  it("keeps every-30-minutes on real spacing in both directions", () => {
    expect(
      next("*/30 * * * *", "Pacific/Chatham", "2026-09-26T13:00:00Z", 3),
    ).toEqual([
      "2026-09-26T13:15:00.000Z",
      "2026-09-26T13:45:00.000Z",
      "2026-09-26T14:15:00.000Z",
    ]);
    expect(
      next("*/30 * * * *", "Pacific/Chatham", "2026-04-04T13:00:00Z", 4),
    ).toEqual([
      "2026-04-04T13:15:00.000Z",
      "2026-04-04T13:45:00.000Z",
      "2026-04-04T14:15:00.000Z",
      "2026-04-04T14:45:00.000Z",
    ]);
  });
});

describe("zones without DST", () => {
  it("runs a daily Asia/Kolkata (+05:30) schedule at the same instant every day around Europe's spring-forward", () => {
    expect(
      next("0 9 * * *", "Asia/Kolkata", "2026-03-28T00:00:00Z", 3),
    ).toEqual([
      "2026-03-28T03:30:00.000Z",
      "2026-03-29T03:30:00.000Z",
      "2026-03-30T03:30:00.000Z",
    ]);
  });

  it("runs an hourly Asia/Kolkata schedule at half past every UTC hour", () => {
    expect(
      between(
        "0 * * * *",
        "Asia/Kolkata",
        "2026-10-25T00:00:00Z",
        "2026-10-25T03:00:00Z",
      ),
    ).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:30:00.000Z",
      "2026-10-25T02:30:00.000Z",
    ]);
  });

  it("runs 02:30 Asia/Tokyo on New York's spring-forward night like any other night", () => {
    expect(next("30 2 * * *", "Asia/Tokyo", "2026-03-07T00:00:00Z", 2)).toEqual(
      ["2026-03-07T17:30:00.000Z", "2026-03-08T17:30:00.000Z"],
    );
  });

  it("runs every 15 minutes in UTC across the dates other zones change", () => {
    expect(
      between(
        "*/15 * * * *",
        "UTC",
        "2026-11-01T05:40:00Z",
        "2026-11-01T06:20:00Z",
      ),
    ).toEqual([
      "2026-11-01T05:45:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:15:00.000Z",
    ]);
  });
});
