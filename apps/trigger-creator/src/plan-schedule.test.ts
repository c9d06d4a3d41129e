import type { ScheduleToMaterialize } from "@vigil/db";
import { describe, expect, it } from "vitest";

import { planSchedule, type PlanOptions } from "./plan-schedule.js";

const options: PlanOptions = {
  now: new Date("2027-01-10T12:00:30Z"),
  horizonMs: 300_000,
  maxCatchup: 100,
  maxFiresPerPass: 1000,
};

function schedule(
  overrides: Partial<ScheduleToMaterialize> = {},
): ScheduleToMaterialize {
  return {
    id: 1,
    project_id: "p",
    cron_expression: "*/5 * * * *",
    timezone: "UTC",
    misfire_policy: "run_once",
    version: 1,
    materialized_version: 1,
    materialized_until: null,
    invalid_reason: null,
    max_attempts: 1,
    ...overrides,
  };
}

const times = (plan: ReturnType<typeof planSchedule>) =>
  plan.kind === "planned"
    ? plan.runs.map(
        (r) => `${r.fireAt.toISOString().slice(11, 16)} ${r.source}`,
      )
    : plan.reason;

describe("planSchedule", () => {
  it("plans a new schedule from now only, and remembers the first fire it did not make", () => {
    const plan = planSchedule(
      schedule({ materialized_version: null }),
      options,
    );
    expect(times(plan)).toEqual(["12:05 schedule"]);
    expect(plan).toMatchObject({
      materializedUntil: new Date("2027-01-10T12:05:00Z"),
      nextUnmaterializedAt: new Date("2027-01-10T12:10:00Z"),
    });
  });

  it("makes the next fire even when it lies far beyond the horizon", () => {
    expect(
      times(planSchedule(schedule({ cron_expression: "0 0 1 * *" }), options)),
    ).toEqual(["00:00 schedule"]);
  });

  it("treats a cursor of another version as a new schedule: no catch-up", () => {
    const changed = schedule({
      version: 2,
      materialized_version: 1,
      materialized_until: new Date("2027-01-10T10:00:00Z"),
      misfire_policy: "run_all",
    });
    expect(times(planSchedule(changed, options))).toEqual(["12:05 schedule"]);
  });

  it("continues after the cursor and makes nothing twice while the cursor is ahead of now", () => {
    const ahead = schedule({
      materialized_until: new Date("2027-01-10T12:05:00Z"),
    });
    const plan = planSchedule(ahead, {
      ...options,
      now: new Date("2027-01-10T12:06:00Z"),
    });
    expect(times(plan)).toEqual(["12:10 schedule"]);
  });

  it("applies run_all to the fires missed since the cursor, oldest first, bounded by maxCatchup, then the current one", () => {
    const behind = schedule({
      misfire_policy: "run_all",
      materialized_until: new Date("2027-01-10T11:40:00Z"),
    });
    expect(times(planSchedule(behind, { ...options, maxCatchup: 3 }))).toEqual([
      "11:45 catchup",
      "11:50 catchup",
      "11:55 catchup",
      "12:00 schedule",
      "12:05 schedule",
    ]);
  });

  it("bounds the future fires of one pass and continues from the last one made", () => {
    const everySecond = schedule({
      cron_expression: "* * * * * *",
      materialized_version: null,
    });
    const plan = planSchedule(everySecond, { ...options, maxFiresPerPass: 10 });
    expect(plan.kind === "planned" && plan.runs.length).toBe(10);
    expect(plan).toMatchObject({
      materializedUntil: new Date("2027-01-10T12:00:40Z"),
      nextUnmaterializedAt: new Date("2027-01-10T12:00:41Z"),
    });
  });

  it("reports an invalid cron or timezone with a message naming the value, without throwing", () => {
    expect(
      planSchedule(schedule({ cron_expression: "every day" }), options),
    ).toEqual({
      kind: "invalid",
      reason: expect.stringMatching(/^cron expression "every day": /),
    });
    expect(
      planSchedule(schedule({ timezone: "Mars/Olympus" }), options),
    ).toEqual({
      kind: "invalid",
      reason: expect.stringContaining("Mars/Olympus"),
    });
  });
});
