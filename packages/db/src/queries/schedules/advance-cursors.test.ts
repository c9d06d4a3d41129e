import { describe, expect } from "vitest";

import { insertProject, insertSchedule } from "../../testing/builders.js";
import { dbTest } from "../../testing/db-test.js";
import { advanceScheduleCursors } from "./advance-cursors.js";

describe("advanceScheduleCursors and the version trigger of migration 0003", () => {
  dbTest(
    "moving a cursor leaves the version alone; changing how a schedule fires bumps it once",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id);
      const until = new Date("2027-01-01T00:05:00Z");
      expect(
        await advanceScheduleCursors(db, [
          {
            scheduleId: s.id,
            version: 1,
            materializedUntil: until,
            nextUnmaterializedAt: new Date("2027-01-01T00:06:00Z"),
          },
        ]),
      ).toBe(1);
      const read = () =>
        db
          .selectFrom("schedules")
          .select([
            "version",
            "materialized_version",
            "materialized_until",
            "next_unmaterialized_at",
          ])
          .where("id", "=", s.id)
          .executeTakeFirstOrThrow();
      expect(await read()).toEqual({
        version: 1,
        materialized_version: 1,
        materialized_until: until,
        next_unmaterialized_at: new Date("2027-01-01T00:06:00Z"),
      });

      await db
        .updateTable("schedules")
        .set({ timezone: "Europe/Paris" })
        .where("id", "=", s.id)
        .execute();
      await db
        .updateTable("schedules")
        .set((eb) => ({
          misfire_policy: "skip",
          version: eb("version", "+", 1),
        }))
        .where("id", "=", s.id)
        .execute();
      await db
        .updateTable("schedules")
        .set({ timezone: "Europe/Paris" })
        .where("id", "=", s.id)
        .execute();
      expect((await read()).version).toBe(3);
    },
  );

  dbTest(
    "a cursor planned from an older version does not move, but records which version's triggers exist",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id);
      await db
        .updateTable("schedules")
        .set({ cron_expression: "0 * * * *" })
        .where("id", "=", s.id)
        .execute();
      const moved = await advanceScheduleCursors(db, [
        {
          scheduleId: s.id,
          version: 1,
          materializedUntil: new Date(),
          nextUnmaterializedAt: null,
        },
      ]);
      expect(moved).toBe(0);
      const row = await db
        .selectFrom("schedules")
        .select(["version", "materialized_version", "materialized_until"])
        .where("id", "=", s.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        version: 2,
        materialized_version: 1,
        materialized_until: null,
      });
    },
  );

  dbTest(
    "suspending or resuming a project bumps the version of each of its schedules",
    async ({ db }) => {
      const p = await insertProject(db);
      const a = await insertSchedule(db, p.id);
      const b = await insertSchedule(db, p.id);
      await db
        .updateTable("projects")
        .set({ is_active: false })
        .where("id", "=", p.id)
        .execute();
      await db
        .updateTable("projects")
        .set({ name: "renamed" })
        .where("id", "=", p.id)
        .execute();
      const versions = await db
        .selectFrom("schedules")
        .select("version")
        .where("id", "in", [a.id, b.id])
        .execute();
      expect(versions.map((v) => v.version)).toEqual([2, 2]);
    },
  );
});
