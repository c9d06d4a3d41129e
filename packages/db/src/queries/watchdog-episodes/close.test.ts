import { sql } from "kysely";
import { describe, expect } from "vitest";

import type { Db } from "../../pool.js";
import { insertProject, insertSchedule } from "../../testing/builders.js";
import { dbTest } from "../../testing/db-test.js";
import { closeWatchdogEpisodes } from "./close.js";
import { listWatchedSchedules } from "./list-watched.js";
import { openWatchdogEpisodes, type SilentSchedule } from "./open.js";

const HOUR_AGO = () => new Date(Date.now() - 3600_000);

async function silentSchedule(db: Db): Promise<SilentSchedule> {
  const p = await insertProject(db);
  const s = await insertSchedule(db, p.id);
  // the schedule and project were written before the expected fire time
  await sql`update schedules set created_at = now() - interval '2 hours', updated_at = now() - interval '2 hours' where id = ${s.id}`.execute(
    db,
  );
  await sql`update projects set updated_at = now() - interval '2 hours' where id = ${p.id}`.execute(
    db,
  );
  return {
    projectId: p.id,
    scheduleId: s.id,
    expectedAt: HOUR_AGO(),
    lastFinishedAt: null,
    reason: "missed",
    detail: "1 due trigger(s) not claimed",
  };
}

describe("watchdog episodes: open and close", () => {
  dbTest(
    "opening twice keeps one open episode; a changed reason is refreshed, an unchanged one not rewritten",
    async ({ db }) => {
      const s = await silentSchedule(db);
      const [first] = await openWatchdogEpisodes(db, [s]);
      expect(first).toMatchObject({ opened: true, reason: "missed" });
      expect(await openWatchdogEpisodes(db, [s])).toEqual([]);
      const [again] = await openWatchdogEpisodes(db, [
        { ...s, reason: "stuck", detail: "a run is still running" },
      ]);
      expect(again).toEqual({
        id: first!.id,
        schedule_id: s.scheduleId,
        reason: "stuck",
        opened: false,
      });
      const rows = await db
        .selectFrom("watchdog_episodes")
        .selectAll()
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.expected_at).toEqual(s.expectedAt);
    },
  );

  dbTest(
    "a deleted, paused, suspended or changed schedule closes its episode with that reason; a silent one stays open",
    async ({ db }) => {
      const [deleted, paused, suspended, changed, silent] = await Promise.all(
        [1, 2, 3, 4, 5].map(() => silentSchedule(db)),
      );
      await openWatchdogEpisodes(db, [
        deleted!,
        paused!,
        suspended!,
        changed!,
        silent!,
      ]);
      await db
        .deleteFrom("schedules")
        .where("id", "=", deleted!.scheduleId)
        .execute();
      await db
        .updateTable("schedules")
        .set({ is_active: false })
        .where("id", "=", paused!.scheduleId)
        .execute();
      await db
        .updateTable("projects")
        .set({ is_active: false })
        .where("id", "=", suspended!.projectId)
        .execute();
      await db
        .updateTable("schedules")
        .set({ cron_expression: "*/5 * * * *" })
        .where("id", "=", changed!.scheduleId)
        .execute();
      const closed = await closeWatchdogEpisodes(db);
      // the other test's episode (same database) stays open: its schedule is still silent
      const byProject = Object.fromEntries(
        closed.map((c) => [c.project_id, c.close_reason]),
      );
      expect(byProject).toEqual({
        [deleted!.projectId]: "schedule_deleted",
        [paused!.projectId]: "schedule_paused",
        [suspended!.projectId]: "schedule_paused",
        [changed!.projectId]: "schedule_changed",
      });
      expect(await closeWatchdogEpisodes(db)).toEqual([]);
      const open = await db
        .selectFrom("watchdog_episodes")
        .select("schedule_id")
        .where("closed_at", "is", null)
        .where("project_id", "in", [
          deleted!.projectId,
          paused!.projectId,
          suspended!.projectId,
          changed!.projectId,
          silent!.projectId,
        ])
        .execute();
      expect(open).toEqual([{ schedule_id: silent!.scheduleId }]);
      // a closed episode does not block a new one for the same schedule
      const [reopened] = await openWatchdogEpisodes(db, [changed!]);
      expect(reopened?.opened).toBe(true);
    },
  );

  dbTest(
    "a run that fired before the expected time but finished after it is life: the newest finished run's end is read, and it recovers the episode",
    async ({ db }) => {
      const s = await silentSchedule(db);
      await openWatchdogEpisodes(db, [s]);
      const longAgo = new Date(Date.now() - 2 * 3600_000);
      const finishedAt = new Date(Date.now() - 60_000);
      const trigger = await db
        .insertInto("triggers")
        .values({
          project_id: s.projectId,
          schedule_id: s.scheduleId,
          source: "schedule",
          fire_at: longAgo,
          available_at: longAgo,
          status: "succeeded",
          attempt: 1,
          finished_at: finishedAt,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db
        .insertInto("executions")
        .values({
          project_id: s.projectId,
          trigger_id: trigger.id,
          status: "success",
          scheduled_for: longAgo,
          started_at: longAgo,
          finished_at: finishedAt,
        })
        .execute();
      const watched = await listWatchedSchedules(db, {
        afterId: s.scheduleId - 1,
        limit: 1,
      });
      expect(watched[0]).toMatchObject({
        schedule_id: s.scheduleId,
        last_finished_at: finishedAt,
      });
      const closed = await closeWatchdogEpisodes(db);
      expect(
        closed
          .filter((c) => c.schedule_id === s.scheduleId)
          .map((c) => c.close_reason),
      ).toEqual(["recovered"]);
    },
  );
});
