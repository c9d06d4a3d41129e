import { expect, test } from "vitest";

import type { ClaimedTrigger } from "@vigil/db";

import { windowOf } from "./run-detector.js";

const claim = (o: Partial<ClaimedTrigger> = {}): ClaimedTrigger => ({
  triggerId: 1,
  executionId: 1,
  projectId: "p",
  scheduleId: 1,
  source: "schedule",
  fireAt: new Date("2026-12-03T12:00:00Z"),
  attempt: 1,
  maxAttempts: 1,
  windowStart: null,
  windowEnd: null,
  startedAt: new Date("2026-12-03T12:00:01Z"),
  ...o,
});

test("the window is lookback before fire_at; settle moves its end back so the youngest rows stay out", () => {
  expect(windowOf(claim(), { lookback: "PT1H" })).toEqual({
    start: new Date("2026-12-03T11:00:00Z"),
    end: new Date("2026-12-03T12:00:00Z"),
  });
  expect(windowOf(claim(), { lookback: "PT1H", settle: "PT15M" })).toEqual({
    start: new Date("2026-12-03T10:45:00Z"),
    end: new Date("2026-12-03T11:45:00Z"),
  });
});

test("a manual run's own window wins over lookback and settle", () => {
  const windowStart = new Date("2026-12-01T00:00:00Z");
  const windowEnd = new Date("2026-12-02T00:00:00Z");
  expect(
    windowOf(claim({ windowStart, windowEnd }), {
      lookback: "PT1H",
      settle: "PT15M",
    }),
  ).toEqual({ start: windowStart, end: windowEnd });
});
