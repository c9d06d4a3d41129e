import { getLastMaintenanceRun } from "@vigil/db";
import {
  dbTest,
  insertProject,
  MANUAL_PROJECT_CONFIG,
} from "@vigil/db/testing";
import { expect } from "vitest";

import { createCleaner } from "../src/cleaner.js";
import {
  countRows,
  PASS_OPTIONS,
  quietLogger,
  seedOldHistory,
} from "./helpers.js";

dbTest(
  "a pass applies each project's retention override over the defaults and records its counts",
  async ({ db }) => {
    const byDefault = await insertProject(db);
    const keepsFive = await insertProject(db, {
      config: { ...MANUAL_PROJECT_CONFIG, retention: { keep_last: 5 } },
    });
    const keepsLonger = await insertProject(db, {
      config: {
        ...MANUAL_PROJECT_CONFIG,
        retention: { max_age_days: 90, keep_last: 1000 },
      },
    });
    for (const p of [byDefault, keepsFive, keepsLonger]) {
      await seedOldHistory(db, {
        projectId: p.id,
        count: 10,
        daysAgo: 60,
        findingsPer: 1,
      });
      await seedOldHistory(db, {
        projectId: p.id,
        count: 30,
        daysAgo: 1,
        findingsPer: 1,
      });
    }
    const cleaner = createCleaner({
      db,
      logger: quietLogger,
      version: "test",
      pass: PASS_OPTIONS,
      intervalMs: 1000,
      presence: false,
    });

    const result = await cleaner.runOnce();

    expect(result.error).toBeNull();
    // defaults: keep 20, 30 days; override: keep 5; override: keep 1000 for 90 days
    expect(await countRows(db, "executions", byDefault.id)).toBe(20);
    expect(await countRows(db, "executions", keepsFive.id)).toBe(5);
    expect(await countRows(db, "executions", keepsLonger.id)).toBe(40);
    // old triggers go once their executions are gone; the 1-day-old ones are younger than 7 days
    expect(await countRows(db, "triggers", byDefault.id)).toBe(30);
    expect(await countRows(db, "triggers", keepsLonger.id)).toBe(40);
    const last = await getLastMaintenanceRun(db);
    expect(last?.id).toBe(result.runId);
    expect(last?.pruned).toMatchObject({
      executions: 20 + 35,
      findings: 55,
      triggers: 20,
    });
    expect(last?.duration_ms).toBeGreaterThanOrEqual(0);
  },
);

dbTest(
  "a second pass right after the first finds nothing left to prune",
  async ({ db }) => {
    const p = await insertProject(db);
    await seedOldHistory(db, {
      projectId: p.id,
      count: 50,
      daysAgo: 60,
      findingsPer: 1,
    });
    const cleaner = createCleaner({
      db,
      logger: quietLogger,
      version: "test",
      pass: PASS_OPTIONS,
      intervalMs: 1000,
      presence: false,
    });
    await cleaner.runOnce();
    const second = await cleaner.runOnce();
    expect(second.pruned.executions).toBe(0);
    // the latest execution is always kept, however old
    expect(await countRows(db, "executions", p.id)).toBe(1);
  },
);
