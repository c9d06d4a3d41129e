import {
  insertProject,
  insertSchedule,
  insertTriggers,
  dbTest,
} from "@vigil/db/testing";
import { describe, expect } from "vitest";

import {
  captureLogger,
  isoTimes,
  markRunning,
  passAt,
  triggersOf,
} from "./helpers.js";

describe("materialization pass", () => {
  dbTest(
    "materializes the horizon ahead and at least the next fire of every schedule",
    async ({ db }) => {
      const p = await insertProject(db, {
        config: { data_source: { type: "manual" }, max_attempts: 3 },
      });
      const everyMinute = await insertSchedule(db, p.id, {
        cron: "* * * * *",
        startingDeadlineSeconds: 30,
        concurrencyPolicy: "replace",
      });
      const daily = await insertSchedule(db, p.id, {
        cron: "0 9 * * *",
        timezone: "Europe/Berlin",
      });
      await passAt(db, "2027-01-10T12:00:30Z");

      const minute = await triggersOf(db, everyMinute.id);
      expect(isoTimes(minute)).toEqual([
        "2027-01-10T12:01:00.000Z",
        "2027-01-10T12:02:00.000Z",
        "2027-01-10T12:03:00.000Z",
        "2027-01-10T12:04:00.000Z",
        "2027-01-10T12:05:00.000Z",
      ]);
      expect(minute[0]).toMatchObject({
        source: "schedule",
        status: "pending",
        max_attempts: 3,
        concurrency_policy: "replace",
        starting_deadline_seconds: 30,
        schedule_version: 1,
        project_id: p.id,
      });
      expect(minute[0]?.available_at.toISOString()).toBe(
        "2027-01-10T12:01:00.000Z",
      );
      expect(isoTimes(await triggersOf(db, daily.id))).toEqual([
        "2027-01-11T08:00:00.000Z",
      ]);
      const cursor = await db
        .selectFrom("schedules")
        .select(["materialized_until", "materialized_version"])
        .where("id", "=", daily.id)
        .executeTakeFirstOrThrow();
      expect(cursor).toEqual({
        materialized_until: new Date("2027-01-11T08:00:00Z"),
        materialized_version: 1,
      });
    },
  );

  dbTest(
    "running the same pass again makes nothing new, and a later pass only adds the new fires",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, { cron: "*/2 * * * *" });
      await passAt(db, "2027-01-10T12:00:00Z");
      const again = await passAt(db, "2027-01-10T12:00:00Z");
      expect(isoTimes(await triggersOf(db, s.id))).toEqual([
        "2027-01-10T12:02:00.000Z",
        "2027-01-10T12:04:00.000Z",
      ]);
      expect(again).toMatchObject({ triggers: 0, schedules: 0 });
      await passAt(db, "2027-01-10T12:03:00Z");
      expect(isoTimes(await triggersOf(db, s.id))).toEqual([
        "2027-01-10T12:02:00.000Z",
        "2027-01-10T12:04:00.000Z",
        "2027-01-10T12:06:00.000Z",
        "2027-01-10T12:08:00.000Z",
      ]);
    },
  );

  dbTest(
    "a new schedule never catches up on fires before it was first seen",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "0 * * * *",
        misfirePolicy: "run_all",
      });
      await passAt(db, "2027-01-10T12:30:00Z");
      expect(isoTimes(await triggersOf(db, s.id))).toEqual([
        "2027-01-10T13:00:00.000Z",
      ]);
    },
  );

  dbTest(
    "a pending trigger of the old definition is cancelled, a running one untouched, and the new definition is made",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/2 * * * *",
        concurrencyPolicy: "forbid",
      });
      await passAt(db, "2027-01-10T12:00:00Z");
      const [running] = await triggersOf(db, s.id);
      await markRunning(db, running!.id);

      await db
        .updateTable("schedules")
        .set({ cron_expression: "*/3 * * * *" })
        .where("id", "=", s.id)
        .execute();
      const stats = await passAt(db, "2027-01-10T12:00:10Z");
      expect(stats.cancelled).toBe(1);
      const rows = await triggersOf(db, s.id);
      const byTime = Object.fromEntries(
        rows.map((r) => [
          r.fire_at.toISOString().slice(11, 16),
          [r.status, r.schedule_version],
        ]),
      );
      expect(byTime).toEqual({
        "12:02": ["running", 1],
        "12:03": ["pending", 2],
        "12:04": ["cancelled", 1],
      });
      expect(rows.find((r) => r.status === "cancelled")?.last_error).toMatch(
        /schedule changed \(now version 2\)/,
      );
    },
  );

  dbTest(
    "a change that keeps a fire time revives its cancelled trigger with the new policies instead of leaving it cancelled",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/5 * * * *",
        concurrencyPolicy: "forbid",
      });
      await passAt(db, "2027-01-10T12:00:00Z");
      await db
        .updateTable("schedules")
        .set({ concurrency_policy: "allow" })
        .where("id", "=", s.id)
        .execute();
      await passAt(db, "2027-01-10T12:00:01Z");
      const rows = await triggersOf(db, s.id);
      expect(
        rows.map((r) => [
          r.fire_at.toISOString(),
          r.status,
          r.concurrency_policy,
          r.schedule_version,
          r.last_error,
        ]),
      ).toEqual([["2027-01-10T12:05:00.000Z", "pending", "allow", 2, null]]);
    },
  );

  dbTest(
    "suspending cancels pending triggers; resuming makes future fires again without catching up",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/2 * * * *",
        misfirePolicy: "run_all",
      });
      await passAt(db, "2027-01-10T12:00:00Z");
      await db
        .updateTable("schedules")
        .set({ is_active: false })
        .where("id", "=", s.id)
        .execute();
      await passAt(db, "2027-01-10T12:01:00Z");
      expect(
        (await triggersOf(db, s.id)).map((r) => [r.status, r.last_error]),
      ).toEqual([
        ["cancelled", "schedule suspended"],
        ["cancelled", "schedule suspended"],
      ]);
      await passAt(db, "2027-01-10T12:30:00Z");
      expect(
        (await triggersOf(db, s.id)).every((r) => r.status === "cancelled"),
      ).toBe(true);

      await db
        .updateTable("schedules")
        .set({ is_active: true })
        .where("id", "=", s.id)
        .execute();
      await passAt(db, "2027-01-10T12:31:00Z");
      const pending = (await triggersOf(db, s.id)).filter(
        (r) => r.status === "pending",
      );
      expect(isoTimes(pending)).toEqual([
        "2027-01-10T12:32:00.000Z",
        "2027-01-10T12:34:00.000Z",
        "2027-01-10T12:36:00.000Z",
      ]);
    },
  );

  dbTest(
    "suspending a project cancels the pending triggers of all its schedules",
    async ({ db }) => {
      const p = await insertProject(db);
      const a = await insertSchedule(db, p.id, { cron: "*/5 * * * *" });
      const b = await insertSchedule(db, p.id, { cron: "0 * * * *" });
      await passAt(db, "2027-01-10T12:00:00Z");
      await db
        .updateTable("projects")
        .set({ is_active: false })
        .where("id", "=", p.id)
        .execute();
      await passAt(db, "2027-01-10T12:00:05Z");
      const rows = [
        ...(await triggersOf(db, a.id)),
        ...(await triggersOf(db, b.id)),
      ];
      expect(rows.map((r) => [r.status, r.last_error])).toEqual([
        ["cancelled", "project suspended"],
        ["cancelled", "project suspended"],
      ]);
    },
  );

  dbTest(
    "deleting a schedule cancels its pending triggers and leaves manual triggers alone",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, { cron: "*/5 * * * *" });
      await passAt(db, "2027-01-10T12:00:00Z");
      const [manual] = await insertTriggers(db, p.id, 1, { source: "manual" });
      const made = await triggersOf(db, s.id);
      await db.deleteFrom("schedules").where("id", "=", s.id).execute();
      await passAt(db, "2027-01-10T12:00:05Z");
      const after = await db
        .selectFrom("triggers")
        .select(["id", "status", "last_error"])
        .where("project_id", "=", p.id)
        .orderBy("id")
        .execute();
      expect(after).toEqual([
        {
          id: made[0]!.id,
          status: "cancelled",
          last_error: "schedule deleted",
        },
        { id: manual!.id, status: "pending", last_error: null },
      ]);
    },
  );

  dbTest(
    "an invalid row is marked and logged once, the others keep running, and fixing it clears the mark",
    async ({ db }) => {
      const p = await insertProject(db);
      const good = await insertSchedule(db, p.id, { cron: "*/5 * * * *" });
      const badCron = await insertSchedule(db, p.id, { cron: "61 * * * *" });
      const badZone = await insertSchedule(db, p.id, {
        cron: "0 * * * *",
        timezone: "Mars/Olympus",
      });
      const { logger, lines } = captureLogger();
      await passAt(db, "2027-01-10T12:00:00Z", {}, logger);
      await passAt(db, "2027-01-10T12:05:00Z", {}, logger);
      await passAt(db, "2027-01-10T12:10:00Z", {}, logger);

      expect((await triggersOf(db, good.id)).length).toBeGreaterThan(2);
      expect(await triggersOf(db, badCron.id)).toEqual([]);
      const marks = await db
        .selectFrom("schedules")
        .select(["id", "invalid_reason"])
        .where("id", "in", [badCron.id, badZone.id])
        .orderBy("id")
        .execute();
      expect(marks[0]?.invalid_reason).toMatch(
        /^cron expression "61 \* \* \* \*": .*minute/,
      );
      expect(marks[1]?.invalid_reason).toMatch(/Mars\/Olympus/);
      const warnings = lines().filter(
        (l) => l.msg === "schedule cannot be scheduled; marked invalid",
      );
      expect(warnings.map((w) => w.scheduleId).sort()).toEqual(
        [badCron.id, badZone.id].sort(),
      );

      await db
        .updateTable("schedules")
        .set({ cron_expression: "0 * * * *" })
        .where("id", "=", badCron.id)
        .execute();
      await passAt(db, "2027-01-10T12:15:00Z", {}, logger);
      expect(isoTimes(await triggersOf(db, badCron.id))).toEqual([
        "2027-01-10T13:00:00.000Z",
      ]);
      const fixed = await db
        .selectFrom("schedules")
        .select("invalid_reason")
        .where("id", "=", badCron.id)
        .executeTakeFirstOrThrow();
      expect(fixed.invalid_reason).toBeNull();
    },
  );

  dbTest(
    "triggers take max_attempts from the project config and default to 1 when it is missing or malformed",
    async ({ db }) => {
      const withNone = await insertProject(db);
      const withBad = await insertProject(db, {
        config: { data_source: { type: "manual" }, max_attempts: "lots" },
      });
      const a = await insertSchedule(db, withNone.id, { cron: "0 * * * *" });
      const b = await insertSchedule(db, withBad.id, { cron: "0 * * * *" });
      await passAt(db, "2027-01-10T12:00:00Z");
      expect((await triggersOf(db, a.id))[0]?.max_attempts).toBe(1);
      expect((await triggersOf(db, b.id))[0]?.max_attempts).toBe(1);
    },
  );

  dbTest(
    "spring-forward in America/New_York: 02:30 runs once at 03:00 EDT and a 30-minute interval keeps real spacing",
    async ({ db }) => {
      const p = await insertProject(db);
      const daily = await insertSchedule(db, p.id, {
        cron: "30 2 * * *",
        timezone: "America/New_York",
      });
      const interval = await insertSchedule(db, p.id, {
        cron: "*/30 * * * *",
        timezone: "America/New_York",
      });
      // 2027-03-14 01:00 EST = 06:00Z; the clocks jump from 02:00 EST to 03:00 EDT at 07:00Z.
      await passAt(db, "2027-03-14T06:00:00Z", { horizonSeconds: 2 * 3600 });
      expect(isoTimes(await triggersOf(db, daily.id))).toEqual([
        "2027-03-14T07:00:00.000Z",
      ]);
      expect(isoTimes(await triggersOf(db, interval.id))).toEqual([
        "2027-03-14T06:30:00.000Z",
        "2027-03-14T07:00:00.000Z",
        "2027-03-14T07:30:00.000Z",
        "2027-03-14T08:00:00.000Z",
      ]);
    },
  );

  dbTest(
    "fall-back in America/New_York: 01:30 runs once, on its first pass, and a 30-minute interval runs through both 01:30s",
    async ({ db }) => {
      const p = await insertProject(db);
      const daily = await insertSchedule(db, p.id, {
        cron: "30 1 * * *",
        timezone: "America/New_York",
      });
      const interval = await insertSchedule(db, p.id, {
        cron: "*/30 * * * *",
        timezone: "America/New_York",
      });
      // 2027-11-07 00:30 EDT = 04:30Z; at 06:00Z (02:00 EDT) the clocks go back to 01:00 EST.
      await passAt(db, "2027-11-07T04:30:00Z", { horizonSeconds: 3 * 3600 });
      expect(isoTimes(await triggersOf(db, daily.id))).toEqual([
        "2027-11-07T05:30:00.000Z",
      ]);
      expect(isoTimes(await triggersOf(db, interval.id))).toEqual([
        "2027-11-07T05:00:00.000Z",
        "2027-11-07T05:30:00.000Z",
        "2027-11-07T06:00:00.000Z",
        "2027-11-07T06:30:00.000Z",
        "2027-11-07T07:00:00.000Z",
        "2027-11-07T07:30:00.000Z",
      ]);
    },
  );

  dbTest(
    "a pass over changed schedules only picks up new and changed ones; the full pass makes the rest",
    async ({ db }) => {
      const p = await insertProject(db);
      const old = await insertSchedule(db, p.id, {
        cron: "*/5 * * * *",
        misfirePolicy: "skip",
      });
      await passAt(db, "2027-02-01T12:00:00Z");
      const fresh = await insertSchedule(db, p.id, { cron: "*/5 * * * *" });
      await passAt(db, "2027-02-01T12:20:00Z", {}, undefined, "changed");
      expect(isoTimes(await triggersOf(db, fresh.id))).toEqual([
        "2027-02-01T12:25:00.000Z",
      ]);
      expect(isoTimes(await triggersOf(db, old.id))).toEqual([
        "2027-02-01T12:05:00.000Z",
      ]);
      await passAt(db, "2027-02-01T12:20:00Z");
      // behind: the current fire time (12:20) runs, the missed 12:05 is skipped (policy skip)
      const rows = await triggersOf(db, old.id);
      expect(rows.map((r) => `${r.fire_at.toISOString()} ${r.status}`)).toEqual(
        [
          "2027-02-01T12:05:00.000Z skipped",
          "2027-02-01T12:20:00.000Z pending",
          "2027-02-01T12:25:00.000Z pending",
        ],
      );
    },
  );

  dbTest(
    "with a refresh interval a pass makes horizon + refresh ahead",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, { cron: "*/5 * * * *" });
      await passAt(db, "2027-02-02T12:00:00Z", {
        horizonSeconds: 600,
        refreshSeconds: 300,
      });
      expect(isoTimes(await triggersOf(db, s.id))).toEqual([
        "2027-02-02T12:05:00.000Z",
        "2027-02-02T12:10:00.000Z",
        "2027-02-02T12:15:00.000Z",
      ]);
    },
  );
});
