import { sql } from "kysely";
import { describe, expect } from "vitest";

import {
  insertProject,
  insertSchedule,
  insertTriggers,
} from "../../testing/builders.js";
import { dbTest } from "../../testing/db-test.js";
import {
  cancelOrphanedTriggers,
  cancelStaleTriggers,
  cancelSuspendedScheduleTriggers,
} from "./cancel-stale.js";
import { insertScheduledTriggers } from "./create.js";

async function makeTriggers(
  db: Parameters<typeof insertScheduledTriggers>[0],
  scheduleId: number,
  version: number,
  minutes: number[],
) {
  await insertScheduledTriggers(
    db,
    minutes.map((m) => ({
      scheduleId,
      fireAt: new Date(Date.UTC(2027, 0, 1, 0, m)),
      source: "schedule" as const,
      maxAttempts: 1,
      scheduleVersion: version,
    })),
  );
}

const statuses = (
  db: Parameters<typeof insertScheduledTriggers>[0],
  scheduleId: number | null,
  projectId: string,
) =>
  sql<{ status: string; last_error: string | null }>`
    select status, last_error from triggers where project_id = ${projectId} and schedule_id is not distinct from ${scheduleId} order by fire_at, id`
    .execute(db)
    .then((r) =>
      r.rows.map(
        (x) => `${x.status}${x.last_error ? `: ${x.last_error}` : ""}`,
      ),
    );

describe("cancelling stale triggers", () => {
  dbTest(
    "cancels pending triggers of another version and leaves running and current ones alone",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id);
      await makeTriggers(db, s.id, 1, [1, 2]);
      await db
        .updateTable("triggers")
        .set({
          status: "running",
          claimed_by: "w",
          lease_expires_at: new Date(Date.now() + 60_000),
          attempt: 1,
        })
        .where("schedule_id", "=", s.id)
        .where("fire_at", "=", new Date(Date.UTC(2027, 0, 1, 0, 1)))
        .execute();
      await db
        .updateTable("schedules")
        .set({ cron_expression: "*/2 * * * *" })
        .where("id", "=", s.id)
        .execute();
      await makeTriggers(db, s.id, 2, [4]);
      expect(
        await cancelStaleTriggers(db, [{ scheduleId: s.id, version: 2 }]),
      ).toBe(1);
      expect(await statuses(db, s.id, p.id)).toEqual([
        "running",
        "cancelled: schedule changed (now version 2); not-yet-started runs are re-made from the new definition",
        "pending",
      ]);
    },
  );

  dbTest(
    "a suspended schedule's pending triggers are cancelled by one sweep, and the next sweep finds nothing",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id);
      await makeTriggers(db, s.id, 1, [1, 2]);
      await db
        .updateTable("schedules")
        .set({ is_active: false })
        .where("id", "=", s.id)
        .execute();
      expect(await cancelSuspendedScheduleTriggers(db)).toEqual({
        schedules: 1,
        cancelled: 2,
      });
      expect(await cancelSuspendedScheduleTriggers(db)).toEqual({
        schedules: 0,
        cancelled: 0,
      });
      expect(await statuses(db, s.id, p.id)).toEqual([
        "cancelled: schedule suspended",
        "cancelled: schedule suspended",
      ]);
    },
  );

  dbTest(
    "a deleted schedule's pending triggers are cancelled; manual ones are not",
    async ({ db }) => {
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id);
      await makeTriggers(db, s.id, 1, [1]);
      await insertTriggers(db, p.id, 1, {
        source: "manual",
        fire_at: new Date(Date.UTC(2027, 0, 1, 0, 5)),
      });
      await db.deleteFrom("schedules").where("id", "=", s.id).execute();
      expect(await cancelOrphanedTriggers(db)).toBe(1);
      expect(await statuses(db, null, p.id)).toEqual([
        "cancelled: schedule deleted",
        "pending",
      ]);
    },
  );
});
