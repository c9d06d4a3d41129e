import { sql } from "kysely";
import { describe, expect } from "vitest";

import { createDb } from "../../pool.js";
import { insertProject, insertSchedule } from "../../testing/builders.js";
import { dbTest } from "../../testing/db-test.js";
import {
  insertScheduledTriggers,
  type ScheduledTriggerInput,
} from "./create.js";

const at = (iso: string) => new Date(iso);

describe("insertScheduledTriggers", () => {
  dbTest(
    "inserting the same fire times twice makes each run once and copies the schedule's policies",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        concurrencyPolicy: "replace",
        startingDeadlineSeconds: 60,
      });
      const rows: ScheduledTriggerInput[] = [
        at("2027-01-01T00:01:00Z"),
        at("2027-01-01T00:02:00Z"),
        at("2027-01-01T00:01:00Z"),
      ].map((fireAt) => ({
        scheduleId: s.id,
        fireAt,
        source: "schedule",
        maxAttempts: 2,
        scheduleVersion: 1,
      }));
      expect(await insertScheduledTriggers(db, rows)).toBe(2);
      expect(await insertScheduledTriggers(db, rows)).toBe(0);
      const made = await db
        .selectFrom("triggers")
        .selectAll()
        .where("schedule_id", "=", s.id)
        .orderBy("fire_at")
        .execute();
      expect(
        made.map((t) => [
          t.fire_at.toISOString(),
          t.available_at.toISOString(),
          t.status,
          t.max_attempts,
          t.concurrency_policy,
          t.starting_deadline_seconds,
          t.schedule_version,
          t.project_id,
        ]),
      ).toEqual([
        [
          "2027-01-01T00:01:00.000Z",
          "2027-01-01T00:01:00.000Z",
          "pending",
          2,
          "replace",
          60,
          1,
          p.id,
        ],
        [
          "2027-01-01T00:02:00.000Z",
          "2027-01-01T00:02:00.000Z",
          "pending",
          2,
          "replace",
          60,
          1,
          p.id,
        ],
      ]);
    },
  );

  dbTest(
    "two creators inserting the same 2,000 rows at once make each exactly once without deadlocking",
    async ({ db, testDatabase }) => {
      const p = await insertProject(db);
      const schedules = await Promise.all(
        Array.from({ length: 20 }, () => insertSchedule(db, p.id)),
      );
      const rows: ScheduledTriggerInput[] = schedules.flatMap((s) =>
        Array.from({ length: 100 }, (_, i) => ({
          scheduleId: s.id,
          fireAt: new Date(Date.UTC(2027, 0, 1, 0, i)),
          source: "schedule" as const,
          maxAttempts: 1,
          scheduleVersion: 1,
        })),
      );
      const a = createDb({ connectionString: testDatabase.url, max: 1 });
      const b = createDb({ connectionString: testDatabase.url, max: 1 });
      try {
        const [na, nb] = await Promise.all([
          insertScheduledTriggers(a.db, rows),
          insertScheduledTriggers(b.db, [...rows].reverse()),
        ]);
        expect(na + nb).toBe(2000);
      } finally {
        await a.close();
        await b.close();
      }
    },
  );

  dbTest(
    "makes nothing for a schedule that changed, was suspended or was deleted since it was read",
    async ({ db }) => {
      const p = await insertProject(db);
      const changed = await insertSchedule(db, p.id);
      const suspended = await insertSchedule(db, p.id);
      const deleted = await insertSchedule(db, p.id);
      await db
        .updateTable("schedules")
        .set({ cron_expression: "*/2 * * * *" })
        .where("id", "=", changed.id)
        .execute();
      await db
        .updateTable("schedules")
        .set({ is_active: false })
        .where("id", "=", suspended.id)
        .execute();
      await db.deleteFrom("schedules").where("id", "=", deleted.id).execute();
      const fireAt = at("2027-01-01T00:01:00Z");
      const made = await insertScheduledTriggers(
        db,
        [changed, suspended, deleted].map((s) => ({
          scheduleId: s.id,
          fireAt,
          source: "schedule" as const,
          maxAttempts: 1,
          scheduleVersion: 1,
        })),
      );
      expect(made).toBe(0);
    },
  );

  dbTest(
    "revives a never-claimed cancelled trigger of an older version, but never a claimed or finished one",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id);
      const fires = [
        "2027-01-01T00:01:00Z",
        "2027-01-01T00:02:00Z",
        "2027-01-01T00:03:00Z",
      ].map(at);
      await insertScheduledTriggers(
        db,
        fires.map((fireAt) => ({
          scheduleId: s.id,
          fireAt,
          source: "schedule" as const,
          maxAttempts: 1,
          scheduleVersion: 1,
        })),
      );
      await db
        .updateTable("triggers")
        .set({ status: "cancelled", last_error: "schedule changed" })
        .where("fire_at", "=", fires[0]!)
        .execute();
      await db
        .updateTable("triggers")
        .set({ status: "cancelled", attempt: 1 })
        .where("fire_at", "=", fires[1]!)
        .execute();
      await db
        .updateTable("triggers")
        .set({ status: "succeeded", attempt: 1 })
        .where("fire_at", "=", fires[2]!)
        .execute();
      await db
        .updateTable("schedules")
        .set({ concurrency_policy: "allow" })
        .where("id", "=", s.id)
        .execute();

      const revived = await insertScheduledTriggers(
        db,
        fires.map((fireAt) => ({
          scheduleId: s.id,
          fireAt,
          source: "schedule" as const,
          maxAttempts: 1,
          scheduleVersion: 2,
        })),
      );
      expect(revived).toBe(1);
      const { rows } = await sql<{
        status: string;
        schedule_version: number;
        last_error: string | null;
      }>`
      select status, schedule_version, last_error from triggers where schedule_id = ${s.id} order by fire_at`.execute(
        db,
      );
      expect(rows).toEqual([
        { status: "pending", schedule_version: 2, last_error: null },
        { status: "cancelled", schedule_version: 1, last_error: null },
        { status: "succeeded", schedule_version: 1, last_error: null },
      ]);
    },
  );
});
