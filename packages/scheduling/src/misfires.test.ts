import { describe, expect, it } from "vitest";

import {
  isPastStartingDeadline,
  planMissedRuns,
  type MisfirePolicy,
} from "./misfires.js";

function plan(
  policy: MisfirePolicy,
  cron: string,
  lastFireAt: string | null,
  now: string,
  extra: { timezone?: string; maxCatchup?: number } = {},
) {
  return planMissedRuns({
    cron,
    timezone: extra.timezone ?? "UTC",
    policy,
    lastFireAt: lastFireAt === null ? null : new Date(lastFireAt),
    now: new Date(now),
    ...(extra.maxCatchup === undefined ? {} : { maxCatchup: extra.maxCatchup }),
  }).map((run) => `${run.fireAt.toISOString()} ${run.source}`);
}

describe("planMissedRuns", () => {
  it("plans only the current fire time (the newest past one) for skip", () => {
    expect(
      plan(
        "skip",
        "*/15 * * * *",
        "2026-01-01T10:00:00Z",
        "2026-01-01T11:05:00Z",
      ),
    ).toEqual(["2026-01-01T11:00:00.000Z schedule"]);
  });

  it("plans nothing for a new schedule whatever the policy", () => {
    for (const policy of ["skip", "run_once", "run_all"] as const) {
      expect(
        plan(policy, "*/15 * * * *", null, "2026-01-01T11:05:00Z"),
      ).toEqual([]);
    }
  });

  it("plans one catch-up at the newest missed fire time, then the current one, for run_once", () => {
    expect(
      plan(
        "run_once",
        "*/15 * * * *",
        "2026-01-01T10:00:00Z",
        "2026-01-01T11:05:00Z",
      ),
    ).toEqual([
      "2026-01-01T10:45:00.000Z catchup",
      "2026-01-01T11:00:00.000Z schedule",
    ]);
  });

  it("plans just the current fire time when it is the only one that passed", () => {
    for (const policy of ["skip", "run_once", "run_all"] as const) {
      expect(
        plan(
          policy,
          "*/15 * * * *",
          "2026-01-01T10:45:00Z",
          "2026-01-01T11:05:00Z",
        ),
      ).toEqual(["2026-01-01T11:00:00.000Z schedule"]);
    }
  });

  it("plans every missed fire, oldest first, then the current one, for run_all, excluding lastFireAt and including now", () => {
    expect(
      plan(
        "run_all",
        "*/15 * * * *",
        "2026-01-01T10:00:00Z",
        "2026-01-01T11:00:00Z",
      ),
    ).toEqual([
      "2026-01-01T10:15:00.000Z catchup",
      "2026-01-01T10:30:00.000Z catchup",
      "2026-01-01T10:45:00.000Z catchup",
      "2026-01-01T11:00:00.000Z schedule",
    ]);
  });

  it("keeps the newest 100 by default when a day of per-minute fires was missed", () => {
    const runs = plan(
      "run_all",
      "* * * * *",
      "2026-01-01T00:00:00Z",
      "2026-01-02T00:00:00Z",
    );
    expect(runs).toHaveLength(101);
    expect(runs[0]).toBe("2026-01-01T22:20:00.000Z catchup");
    expect(runs[99]).toBe("2026-01-01T23:59:00.000Z catchup");
    expect(runs[100]).toBe("2026-01-02T00:00:00.000Z schedule");
  });

  it("honours a custom maxCatchup over a week of per-second fires", () => {
    const runs = plan(
      "run_all",
      "* * * * * *",
      "2026-01-01T00:00:00Z",
      "2026-01-08T00:00:00Z",
      { maxCatchup: 3 },
    );
    expect(runs).toEqual([
      "2026-01-07T23:59:57.000Z catchup",
      "2026-01-07T23:59:58.000Z catchup",
      "2026-01-07T23:59:59.000Z catchup",
      "2026-01-08T00:00:00.000Z schedule",
    ]);
  });

  it("plans nothing when nothing was missed", () => {
    expect(
      plan(
        "run_all",
        "0 9 * * *",
        "2026-01-01T09:00:00Z",
        "2026-01-01T20:00:00Z",
      ),
    ).toEqual([]);
    expect(
      plan(
        "run_once",
        "0 9 * * *",
        "2026-01-01T09:00:00Z",
        "2026-01-01T08:00:00Z",
      ),
    ).toEqual([]);
  });

  it("catches up a fixed-time run once across New York's fall-back night", () => {
    expect(
      plan(
        "run_all",
        "30 1 * * *",
        "2026-10-31T05:30:00Z",
        "2026-11-02T12:00:00Z",
        { timezone: "America/New_York" },
      ),
    ).toEqual([
      "2026-11-01T05:30:00.000Z catchup",
      "2026-11-02T06:30:00.000Z schedule",
    ]);
  });

  it("finds a yearly fire missed over a long outage", () => {
    expect(
      plan(
        "run_once",
        "@yearly",
        "2020-01-01T00:00:00Z",
        "2026-06-01T00:00:00Z",
      ),
    ).toEqual([
      "2025-01-01T00:00:00.000Z catchup",
      "2026-01-01T00:00:00.000Z schedule",
    ]);
  });
});

describe("isPastStartingDeadline", () => {
  const fireAt = new Date("2026-01-01T10:00:00Z");

  it("lets a trigger start exactly at the deadline", () => {
    expect(
      isPastStartingDeadline({
        fireAt,
        now: new Date("2026-01-01T10:01:00Z"),
        startingDeadlineSeconds: 60,
      }),
    ).toBe(false);
  });

  it("marks a trigger one millisecond past the deadline", () => {
    expect(
      isPastStartingDeadline({
        fireAt,
        now: new Date("2026-01-01T10:01:00.001Z"),
        startingDeadlineSeconds: 60,
      }),
    ).toBe(true);
  });

  it("never marks a trigger when there is no deadline", () => {
    expect(
      isPastStartingDeadline({
        fireAt,
        now: new Date("2030-01-01T00:00:00Z"),
        startingDeadlineSeconds: null,
      }),
    ).toBe(false);
    expect(
      isPastStartingDeadline({
        fireAt,
        now: new Date("2030-01-01T00:00:00Z"),
        startingDeadlineSeconds: undefined,
      }),
    ).toBe(false);
  });

  it("rejects a negative deadline", () => {
    expect(() =>
      isPastStartingDeadline({
        fireAt,
        now: fireAt,
        startingDeadlineSeconds: -1,
      }),
    ).toThrow("startingDeadlineSeconds must be >= 0, got -1");
  });
});
