import { bench, describe } from "vitest";

import { nextFireTimes } from "./next-fire-times.js";

/**
 * The trigger-creator's hot path: the next fire time of 100,000 schedules mixing common
 * crons and zones (all distinct `after` instants, so nothing is memoized per call).
 * Run: npx vitest bench packages/scheduling --run
 */
const CRONS = [
  "*/5 * * * *",
  "0 * * * *",
  "30 2 * * *",
  "0 9 * * 1-5",
  "15 */3 * * *",
  "0 0 1 * *",
  "0 12 * * 0",
  "*/15 * * * *",
  "@daily",
  "45 23 L * *",
  "0 8-18 * * MON-FRI",
  "0 0 29 2 *",
];
const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/London",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "Pacific/Chatham",
  "Asia/Tokyo",
  "Europe/Berlin",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Africa/Casablanca",
  "Australia/Sydney",
];
const SCHEDULES = 100_000;
const start = Date.parse("2026-11-22T20:00:00Z");

describe("nextFireTimes", () => {
  bench(
    "100,000 schedules, next fire each",
    () => {
      for (let i = 0; i < SCHEDULES; i++) {
        nextFireTimes({
          cron: CRONS[i % CRONS.length] as string,
          timezone: ZONES[(i * 7) % ZONES.length] as string,
          after: new Date(start + i * 1000),
          count: 1,
        });
      }
    },
    { iterations: 5 },
  );

  bench(
    "100,000 schedules, next 10 fires each",
    () => {
      for (let i = 0; i < SCHEDULES; i++) {
        nextFireTimes({
          cron: CRONS[i % CRONS.length] as string,
          timezone: ZONES[(i * 7) % ZONES.length] as string,
          after: new Date(start + i * 1000),
          count: 10,
        });
      }
    },
    { iterations: 2 },
  );
});
