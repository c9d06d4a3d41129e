import {
  insertProject,
  insertSchedule,
  dbTest,
  waitFor,
} from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";
import { describe, expect } from "vitest";

import { createTriggerCreator, type TriggerCreator } from "../src/creator.js";
import { sql } from "kysely";

import { captureLogger, OPTIONS } from "./helpers.js";

const logger = createLogger({ level: "silent", name: "test" });

function startCreator(
  url: string,
  db: Parameters<typeof createTriggerCreator>[0]["db"],
  log = logger,
): TriggerCreator {
  // A one-minute poll: anything that happens within a test's seconds was woken by NOTIFY or by the lock.
  return createTriggerCreator({
    db,
    connectionString: url,
    logger: log,
    version: "test",
    materialize: OPTIONS,
    pollIntervalMs: 60_000,
    leaderRetryMs: 200,
  });
}

describe("trigger-creator service", () => {
  dbTest(
    "one of two creators leads, NOTIFY wakes it for a new schedule, and the standby takes over when it stops",
    async ({ db, testDatabase }) => {
      const first = startCreator(testDatabase.url, db);
      const second = startCreator(testDatabase.url, db);
      await first.start();
      await waitFor(() => first.isLeader, {
        message: "the first creator to lead",
      });
      await second.start();
      try {
        const p = await insertProject(db);
        const s = await insertSchedule(db, p.id, { cron: "* * * * *" });
        await waitFor(
          async () =>
            (
              await db
                .selectFrom("triggers")
                .select("id")
                .where("schedule_id", "=", s.id)
                .execute()
            ).length >= 5,
          { message: "triggers of a new schedule", timeoutMs: 5000 },
        );
        expect(second.isLeader).toBe(false);

        const started = Date.now();
        await first.stop();
        await waitFor(() => second.isLeader, {
          message: "the standby to lead",
          timeoutMs: 5000,
        });
        expect(Date.now() - started).toBeLessThan(3000);
        const later = await insertSchedule(db, p.id, { cron: "*/2 * * * *" });
        await waitFor(
          async () =>
            (
              await db
                .selectFrom("triggers")
                .select("id")
                .where("schedule_id", "=", later.id)
                .execute()
            ).length > 0,
          { message: "the new leader to materialize", timeoutMs: 5000 },
        );
        const workers = await db
          .selectFrom("workers")
          .select(["app", "status"])
          .where("app", "=", "trigger-creator")
          .orderBy("status")
          .execute();
        expect(workers.map((w) => w.status)).toEqual(["running", "stopped"]);
      } finally {
        await first.stop();
        await second.stop();
      }
    },
  );

  dbTest(
    "a leader whose lock connection is killed stops leading at once, and leadership comes back",
    async ({ db, testDatabase }) => {
      const { logger: log, lines } = captureLogger();
      const creator = startCreator(testDatabase.url, db, log);
      await creator.start();
      try {
        await waitFor(() => creator.isLeader, { message: "leadership" });
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where application_name = 'vigil-trigger-creator-leader' and datname = current_database()`.execute(
          db,
        );
        await waitFor(
          () =>
            lines().some(
              (l) => l.msg === "leader lock connection lost; stopping work",
            ),
          { message: "the loss to be noticed" },
        );
        await waitFor(
          () => lines().filter((l) => l.msg === "became leader").length === 2,
          { message: "leadership again", timeoutMs: 5000 },
        );
        const p = await insertProject(db);
        const s = await insertSchedule(db, p.id, { cron: "*/5 * * * *" });
        await waitFor(
          async () =>
            (
              await db
                .selectFrom("triggers")
                .select("id")
                .where("schedule_id", "=", s.id)
                .execute()
            ).length > 0,
          { message: "work after re-election" },
        );
      } finally {
        await creator.stop();
      }
    },
  );

  dbTest(
    "between full passes only changes are read, and NOTIFY 'refresh' asks for a full pass",
    async ({ db, testDatabase }) => {
      const creator = createTriggerCreator({
        db,
        connectionString: testDatabase.url,
        logger,
        version: "test",
        materialize: { ...OPTIONS, refreshSeconds: 3600 },
        pollIntervalMs: 100,
        leaderRetryMs: 200,
      });
      const p = await insertProject(db);
      const s = await insertSchedule(db, p.id, {
        cron: "*/10 * * * *",
        misfirePolicy: "run_all",
      });
      await creator.start();
      try {
        await waitFor(
          async () =>
            (
              await db
                .selectFrom("schedules")
                .select("materialized_version")
                .where("id", "=", s.id)
                .executeTakeFirstOrThrow()
            ).materialized_version === 1,
          { message: "the first full pass" },
        );
        // As if no creator had run for an hour: the fires of the last hour were never made.
        await sql`update schedules set materialized_until = now() - interval '1 hour', next_unmaterialized_at = now() - interval '50 minutes' where id = ${s.id}`.execute(
          db,
        );
        const catchups = () =>
          db
            .selectFrom("triggers")
            .select("id")
            .where("schedule_id", "=", s.id)
            .where("source", "=", "catchup")
            .execute();
        await new Promise((r) => setTimeout(r, 500));
        expect(await catchups()).toHaveLength(0);
        await sql`select pg_notify('vigil_schedules', 'refresh')`.execute(db);
        await waitFor(async () => (await catchups()).length >= 5, {
          message: "the full pass to catch up",
          timeoutMs: 5000,
        });
      } finally {
        await creator.stop();
      }
    },
  );
});
