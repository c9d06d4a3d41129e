import { expect } from "vitest";

import { insertProject } from "../../testing/builders.js";
import { dbTest } from "../../testing/db-test.js";
import { pruneClosedWatchdogEpisodes } from "./prune.js";

dbTest(
  "removes episodes closed longer ago than the retention, never open ones, at most `limit` per call",
  async ({ db }) => {
    const p = await insertProject(db);
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    const episode = (closedDaysAgo: number | null) => ({
      project_id: p.id,
      opened_at: daysAgo(60),
      expected_at: daysAgo(60),
      reason: "missed" as const,
      detail: "d",
      closed_at: closedDaysAgo === null ? null : daysAgo(closedDaysAgo),
      close_reason:
        closedDaysAgo === null ? null : ("schedule_deleted" as const),
    });
    await db
      .insertInto("watchdog_episodes")
      .values([
        episode(40),
        episode(35),
        episode(31),
        episode(5),
        episode(null),
      ])
      .execute();
    expect(
      await pruneClosedWatchdogEpisodes(db, { olderThanDays: 30, limit: 2 }),
    ).toBe(2);
    expect(
      await pruneClosedWatchdogEpisodes(db, { olderThanDays: 30, limit: 2 }),
    ).toBe(1);
    expect(
      await pruneClosedWatchdogEpisodes(db, { olderThanDays: 30, limit: 2 }),
    ).toBe(0);
    const left = await db
      .selectFrom("watchdog_episodes")
      .select("closed_at")
      .execute();
    expect(left).toHaveLength(2);
    expect(left.filter((e) => e.closed_at === null)).toHaveLength(1);
  },
);
