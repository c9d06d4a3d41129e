import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";

import { nextMatchingWall } from "./cron-spec.js";
import { fireTimesBetween } from "./next-fire-times.js";
import { parseCron } from "./parse-cron.js";

/**
 * A slow, obviously-correct reference: walk real time minute by minute, read the wall clock
 * with luxon, and apply the README's DST rules directly. The fast segment walk must agree
 * with it around every transition below.
 */
function readWallClock(timezone: string, start: number, end: number): number[] {
  const walls: number[] = [];
  for (let t = start; t <= end; t += 60_000) {
    const local = DateTime.fromMillis(t, { zone: timezone });
    walls.push(
      Date.UTC(
        local.year,
        local.month - 1,
        local.day,
        local.hour,
        local.minute,
      ),
    );
  }
  return walls;
}

/** `walls[i]` is the wall clock at start + i minutes. */
function referenceFires(
  cron: string,
  walls: readonly number[],
  start: number,
): string[] {
  const parsed = parseCron(cron);
  if (!parsed.ok) {
    throw new Error(parsed.message);
  }
  const spec = parsed.spec;
  const matches = (wall: number) =>
    nextMatchingWall(spec, wall, wall + 1) !== null;
  const fires: string[] = [];
  let previousWall = walls[0] as number;
  let latestWall = previousWall;
  for (let i = 1; i < walls.length; i++) {
    const t = start + i * 60_000;
    const wall = walls[i] as number;
    let fire = false;
    if (!spec.fixedTime) {
      fire = matches(wall);
    } else {
      const repeated = wall <= latestWall;
      fire = !repeated && matches(wall);
      // Spring-forward: walls strictly between the previous minute's wall and this one never happened.
      for (
        let skipped = previousWall + 60_000;
        skipped < wall && !fire;
        skipped += 60_000
      ) {
        fire = matches(skipped);
      }
    }
    if (fire) {
      fires.push(new Date(t).toISOString());
    }
    previousWall = wall;
    latestWall = Math.max(latestWall, wall);
  }
  return fires;
}

const TRANSITIONS: [string, string][] = [
  ["America/New_York", "2026-03-08T07:00:00Z"],
  ["America/New_York", "2026-11-01T06:00:00Z"],
  ["Europe/London", "2026-03-29T01:00:00Z"],
  ["Europe/London", "2026-10-25T01:00:00Z"],
  ["Australia/Lord_Howe", "2027-04-03T15:00:00Z"],
  ["Australia/Lord_Howe", "2027-10-02T15:30:00Z"],
  ["Pacific/Chatham", "2026-04-04T14:00:00Z"],
  ["Pacific/Chatham", "2026-09-26T14:00:00Z"],
  ["Asia/Kolkata", "2026-03-08T07:00:00Z"],
  // Midnight transitions: 24:00 -> 23:00 and 00:00 -> 01:00.
  ["America/Santiago", "2026-04-05T03:00:00Z"],
  ["America/Santiago", "2026-09-06T04:00:00Z"],
  ["America/Havana", "2026-11-01T05:00:00Z"],
];

const CRONS = [
  "*/15 * * * *",
  "0 * * * *",
  "30 2 * * *",
  "45 1 * * *",
  "0 3 * * *",
  "15 2 * * *",
  "*/15 1,2 * * *",
  "* 2 * * *",
  "30 */2 * * *",
  "0 1-3 * * *",
  "50 2,3 * * *",
  "0 0 * * *",
  "30 23 * * *",
  "@daily",
];

describe("the segment walk agrees with a minute-by-minute reference", () => {
  it.each(TRANSITIONS)("around the transition in %s at %s", (timezone, at) => {
    const start = Date.parse(at) - 86_400_000;
    const end = Date.parse(at) + 86_400_000;
    const walls = readWallClock(timezone, start, end);
    for (const cron of CRONS) {
      const fast = fireTimesBetween({
        cron,
        timezone,
        after: new Date(start),
        until: new Date(end),
        limit: 10_000,
      }).map((d) => d.toISOString());
      expect({ cron, fires: fast }).toEqual({
        cron,
        fires: referenceFires(cron, walls, start),
      });
    }
  });
});
