import { sql } from "kysely";
import { dbTest, insertProject, insertTriggers } from "@vigil/db/testing";
import { expect } from "vitest";

import { createCleaner } from "../src/cleaner.js";
import { runBusyClaimer } from "./busy-claimer.js";
import {
  countRows,
  PASS_OPTIONS,
  quietLogger,
  seedOldHistory,
} from "./helpers.js";

dbTest(
  "two cleaners and a busy claimer at once: no deadlock, no lost rows, old history gone",
  async ({ db }) => {
    const projects = [
      await insertProject(db),
      await insertProject(db),
      await insertProject(db),
    ];
    for (const p of projects) {
      await seedOldHistory(db, {
        projectId: p.id,
        count: 300,
        daysAgo: 60,
        findingsPer: 2,
      });
      await insertTriggers(db, p.id, 60, {
        fire_at: new Date(Date.now() - 1000),
      });
    }
    const cleaners = [0, 1].map(() =>
      createCleaner({
        db,
        logger: quietLogger,
        version: "test",
        pass: PASS_OPTIONS,
        intervalMs: 1000,
        presence: false,
      }),
    );

    const claiming = runBusyClaimer(db, { workers: 3, batch: 4 });
    const passes = await Promise.all(
      cleaners.flatMap((c) => [
        c.runOnce().then(async (first) => [first, await c.runOnce()]),
      ]),
    );
    const claimer = await claiming;
    // one more pass after the claimer is done settles whatever was still running earlier
    const last = await cleaners[0]?.runOnce();

    const results = [...passes.flat(), last];
    expect(results.map((r) => r?.error ?? null)).toEqual(
      results.map(() => null),
    );
    expect(claimer.errors).toEqual([]);
    expect(claimer.runs).toBe(180);
    const pruned = results.reduce(
      (sum, r) => sum + (r?.pruned.executions ?? 0),
      0,
    );
    // 300 old per project, plus the 40 new ones per project beyond keepLast 20
    expect(pruned).toBe(1020);

    for (const p of projects) {
      // all 300 old executions (and their findings and triggers) are gone; of the 60 new ones the newest 20 stay
      expect(await countRows(db, "executions", p.id)).toBe(20);
      expect(await countRows(db, "findings", p.id)).toBe(40);
      const triggers = await db
        .selectFrom("triggers")
        .select(["status", sql<number>`count(*)::int`.as("n")])
        .where("project_id", "=", p.id)
        .groupBy("status")
        .execute();
      // every claimed trigger survived and finished exactly once; the 300 old ones are pruned
      expect(triggers).toEqual([{ status: "succeeded", n: 60 }]);
    }
    const newest = await db
      .selectFrom("executions")
      .select([
        "project_id",
        sql<number>`min(findings_count)::int`.as("findings"),
        sql<string>`min(status)`.as("status"),
      ])
      .groupBy("project_id")
      .execute();
    expect(
      newest.every((r) => r.findings === 2 && r.status === "success"),
    ).toBe(true);
  },
);
