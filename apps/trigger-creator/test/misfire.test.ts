import { insertProject, insertSchedule, dbTest } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { passAt, triggersOf } from "./helpers.js";

/** Fires made by the pass after a downtime, as "HH:MM source". */
async function afterDowntime(
  db: Parameters<typeof triggersOf>[0],
  scheduleId: number,
  since: Date,
) {
  const rows = await triggersOf(db, scheduleId);
  return rows
    .filter((r) => r.created_at >= since)
    .map((r) => `${r.fire_at.toISOString().slice(11, 16)} ${r.source}`);
}

describe("misfire policies after downtime", () => {
  // Each schedule is first materialized at 12:00 (cursor 12:05 for */5, horizon 5 min), then
  // the creator is "down" until 12:31:30; the fires at 12:10 .. 12:30 were never made.
  const before = "2027-01-10T12:00:00Z";
  const back = "2027-01-10T12:31:30Z";

  dbTest(
    "skip makes the current fire time (the newest past one) and the future ones",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/5 * * * *",
        misfirePolicy: "skip",
      });
      await passAt(db, before);
      const since = new Date();
      await passAt(db, back);
      expect(await afterDowntime(db, s.id, since)).toEqual([
        "12:30 schedule",
        "12:35 schedule",
      ]);
      // the fire time made before the downtime was missed too
      const old = (await triggersOf(db, s.id)).find(
        (r) => r.fire_at.toISOString().slice(11, 16) === "12:05",
      );
      expect(old?.status).toBe("skipped");
      expect(old?.last_error).toMatch(/^missed: .*misfire policy skip$/);
    },
  );

  dbTest(
    "run_once makes one catch-up run at the newest missed fire time, then the current and future ones",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/5 * * * *",
        misfirePolicy: "run_once",
      });
      await passAt(db, before);
      const since = new Date();
      await passAt(db, back);
      expect(await afterDowntime(db, s.id, since)).toEqual([
        "12:25 catchup",
        "12:30 schedule",
        "12:35 schedule",
      ]);
    },
  );

  dbTest(
    "run_all makes every missed fire, oldest first, then the current and future ones",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/5 * * * *",
        misfirePolicy: "run_all",
      });
      await passAt(db, before);
      const since = new Date();
      await passAt(db, back);
      expect(await afterDowntime(db, s.id, since)).toEqual([
        "12:10 catchup",
        "12:15 catchup",
        "12:20 catchup",
        "12:25 catchup",
        "12:30 schedule",
        "12:35 schedule",
      ]);
      // forbid (the default) runs them one after the other: the oldest is due, the others
      // and the next fire time are held (available_at a day late) until the creator releases them
      const rows = await triggersOf(db, s.id);
      const catchup = rows.filter((r) => r.source === "catchup");
      expect(catchup).toHaveLength(5);
      expect(rows.every((r) => r.status === "pending")).toBe(true);
      const lateBy = rows.map(
        (r) =>
          `${r.fire_at.toISOString().slice(11, 16)} ${r.source} +${(r.available_at.getTime() - r.fire_at.getTime()) / 3_600_000}h`,
      );
      expect(lateBy).toEqual([
        "12:05 catchup +0h",
        "12:10 catchup +24h",
        "12:15 catchup +24h",
        "12:20 catchup +24h",
        "12:25 catchup +24h",
        "12:30 schedule +24h",
        "12:35 schedule +24h",
      ]);
    },
  );

  dbTest(
    "run_all keeps only the newest runs beyond the catch-up bound",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/5 * * * *",
        misfirePolicy: "run_all",
      });
      await passAt(db, before);
      const since = new Date();
      await passAt(db, back, { maxCatchup: 2 });
      expect(await afterDowntime(db, s.id, since)).toEqual([
        "12:20 catchup",
        "12:25 catchup",
        "12:30 schedule",
        "12:35 schedule",
      ]);
    },
  );

  dbTest(
    "a downtime set by moving materialized_until into the past is caught up the same way",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "0 * * * *",
        misfirePolicy: "run_all",
      });
      await passAt(db, "2027-01-10T12:00:30Z");
      await db
        .updateTable("schedules")
        .set({
          materialized_until: new Date("2027-01-10T09:00:00Z"),
          next_unmaterialized_at: new Date("2027-01-10T10:00:00Z"),
        })
        .where("id", "=", s.id)
        .execute();
      const since = new Date();
      await passAt(db, "2027-01-10T12:00:40Z");
      expect(await afterDowntime(db, s.id, since)).toEqual([
        "10:00 catchup",
        "11:00 catchup",
        "12:00 schedule",
      ]);
    },
  );
});
