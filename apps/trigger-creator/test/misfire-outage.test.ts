import { sql } from "kysely";
import type { Db } from "@vigil/db";
import {
  dbTest,
  insertProject,
  insertSchedule,
  waitFor,
} from "@vigil/db/testing";
import { afterAll, describe, expect } from "vitest";

// The executor as a process, started the way its own tests start it.
import {
  killStartedExecutors,
  startExecutor,
} from "../../executor/test/helpers.js";
import { startCreatorProcess, type CreatorProcess } from "./processes.js";

afterAll(killStartedExecutors);

const PERIOD_S = 3;
const CRON = `*/${PERIOD_S} * * * * *`;

async function dbNow(db: Db): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db);
  return rows[0]!.now;
}

interface Row {
  fire_at: Date;
  source: string;
  status: string;
  last_error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

async function runsOf(db: Db, scheduleId: number): Promise<Row[]> {
  const { rows } = await sql<Row>`
    select t.fire_at, t.source, t.status, t.last_error, e.started_at, e.finished_at
    from triggers t left join executions e on e.trigger_id = t.id
    where t.schedule_id = ${scheduleId}
    order by t.fire_at`.execute(db);
  return rows;
}

const forbidSkips = (rows: Row[]) =>
  rows.filter((r) => r.last_error?.startsWith("concurrency policy forbid"));

/** No two executions of the schedule overlap, and they started in fire-time order. */
function expectSerialInOrder(rows: Row[]) {
  const ran = rows.filter((r) => r.started_at !== null);
  for (let i = 1; i < ran.length; i += 1) {
    expect(ran[i]!.started_at!.getTime()).toBeGreaterThanOrEqual(
      ran[i - 1]!.finished_at!.getTime(),
    );
  }
}

describe("after an executor outage, the misfire policy decides first, then the current fire time runs", () => {
  dbTest(
    "forbid schedules with skip, run_once and run_all: missed fire times settled, catch-ups before the current run, which is not skipped",
    { timeout: 90_000 },
    async ({ db, testDatabase }) => {
      const schedules: Record<string, number> = {};
      for (const policy of ["skip", "run_once", "run_all"] as const) {
        const p = await insertProject(db);
        const s = await insertSchedule(db, p.id, {
          cron: CRON,
          concurrencyPolicy: "forbid",
          misfirePolicy: policy,
        });
        schedules[policy] = s.id;
      }
      let creator: CreatorProcess | undefined;
      try {
        creator = startCreatorProcess(testDatabase.url, {
          POLL_INTERVAL_MS: "200",
        });
        await creator.waitForLog("became leader");
        // no executor: fire times pass with nobody to run them
        await waitFor(
          async () => {
            const due = await db
              .selectFrom("triggers")
              .select("id")
              .where("schedule_id", "=", schedules.run_all!)
              .where("fire_at", "<=", await dbNow(db))
              .execute();
            return due.length >= 3;
          },
          { timeoutMs: 20_000, message: "three missed fire times" },
        );
        // end the outage just after a fire time, which is then the current one: due, and
        // behind the catch-ups; the next fire time is a period away
        await waitFor(
          async () => {
            const ms = (await dbNow(db)).getTime() % (PERIOD_S * 1000);
            return ms >= 300 && ms <= 700;
          },
          { message: "a moment just after a fire time" },
        );
        const outageEnd = await dbNow(db);
        startExecutor(testDatabase.url, {
          EXECUTOR_RUNNER: "noop",
          EXECUTOR_NOOP_DELAY_MS: "500",
          POLL_INTERVAL_MS: "200",
        });
        const current = new Date(
          Math.floor(outageEnd.getTime() / (PERIOD_S * 1000)) * PERIOD_S * 1000,
        );
        for (const policy of ["skip", "run_once", "run_all"] as const) {
          await waitFor(
            async () => {
              const rows = await runsOf(db, schedules[policy]!);
              return rows.some(
                (r) =>
                  r.fire_at.getTime() >= current.getTime() &&
                  r.finished_at !== null,
              );
            },
            {
              timeoutMs: 30_000,
              message: `a run of ${policy} at or after the current fire time`,
            },
          );
        }
        creator.child.kill("SIGTERM");
        await creator.exited;
        creator = undefined;
        await killStartedExecutors();

        const missedBefore = (rows: Row[]) =>
          rows.filter((r) => r.fire_at.getTime() < current.getTime());

        // skip: none of the missed fire times ran, each says why
        const skip = await runsOf(db, schedules.skip!);
        const skipMissed = missedBefore(skip);
        expect(skipMissed.length).toBeGreaterThanOrEqual(2);
        expect(skipMissed.filter((r) => r.started_at !== null)).toEqual([]);
        expect(
          skipMissed.every(
            (r) =>
              r.status === "skipped" && r.last_error?.startsWith("missed:"),
          ),
        ).toBe(true);

        // run_once: one catch-up run for them, then the current fire time
        const once = await runsOf(db, schedules.run_once!);
        const onceMissed = missedBefore(once);
        const onceRan = onceMissed.filter((r) => r.started_at !== null);
        expect(onceRan).toHaveLength(1);
        expect(onceRan[0]?.source).toBe("catchup");
        expect(
          onceMissed
            .filter((r) => r.started_at === null)
            .every((r) => r.last_error?.startsWith("missed:")),
        ).toBe(true);

        // run_all: every missed fire time ran, oldest first, one after the other
        const all = await runsOf(db, schedules.run_all!);
        const allMissed = missedBefore(all);
        expect(allMissed.length).toBeGreaterThanOrEqual(2);
        expect(allMissed.filter((r) => r.started_at === null)).toEqual([]);

        for (const rows of [skip, once, all]) {
          const upToCurrent = rows.filter(
            (r) => r.fire_at.getTime() <= current.getTime(),
          );
          // nothing up to the current fire time was skipped for overlapping a catch-up
          expect(forbidSkips(upToCurrent)).toEqual([]);
          expectSerialInOrder(upToCurrent);
          const now = upToCurrent.find(
            (r) => r.fire_at.getTime() === current.getTime(),
          );
          expect(now?.status, JSON.stringify(upToCurrent)).toBe("succeeded");
        }
      } finally {
        creator?.child.kill("SIGKILL");
      }
    },
  );
});
