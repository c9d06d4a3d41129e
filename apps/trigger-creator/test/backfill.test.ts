import { backfillWindowCount, isoDurationToMs } from "@vigil/contracts";
import {
  cancelBackfill,
  claimDueTriggers,
  cancelPendingBackfillTriggers,
  getBackfillProgress,
  insertBackfill,
  type Db,
} from "@vigil/db";
import { dbTest, insertProject } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";
import { sql } from "kysely";
import { expect } from "vitest";

import { runBackfillPass, topUpBackfill } from "../src/backfill-pass.js";
import { markRunning } from "./helpers.js";

const quiet = createLogger({ level: "silent", name: "test" });

async function startBackfill(
  db: Db,
  projectId: string,
  from: string,
  to: string,
  step: string,
  concurrency = 1,
) {
  const stepMs = isoDurationToMs(step)!;
  return insertBackfill(db, {
    projectId,
    rangeStart: new Date(from),
    rangeEnd: new Date(to),
    step,
    stepMs,
    concurrency,
    total: backfillWindowCount(Date.parse(from), Date.parse(to), stepMs),
    requestedBy: "test",
  });
}

const triggersOf = (db: Db, backfillId: number) =>
  db
    .selectFrom("triggers")
    .selectAll()
    .where("backfill_id", "=", backfillId)
    .orderBy("window_start")
    .execute();

const windowsOf = (
  rows: Array<{ window_start: Date | null; window_end: Date | null }>,
) =>
  rows.map((r) => [r.window_start?.toISOString(), r.window_end?.toISOString()]);

/** Finishes a backfill's unfinished triggers as an executor would (succeeded). */
async function finishAll(db: Db, backfillId: number): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    update triggers set status = 'succeeded', finished_at = now()
    where backfill_id = ${backfillId} and status in ('pending', 'running')
    returning id`.execute(db);
  return rows.length;
}

const unfinished = async (db: Db, backfillId: number) =>
  (await triggersOf(db, backfillId)).filter((t) =>
    ["pending", "running"].includes(t.status),
  ).length;

dbTest(
  "a backfill makes one `backfill` trigger per window, the last cut at `to`, never more than `concurrency` unfinished, and is done when all are terminal",
  async ({ db }) => {
    const p = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_attempts: 3 },
    });
    const b = await startBackfill(
      db,
      p.id,
      "2026-11-01T00:00:00Z",
      "2026-11-01T04:30:00Z",
      "PT1H",
      2,
    );
    expect(b.total).toBe(5);

    // the file's tests share one database: this test runs first
    const first = await runBackfillPass({ db, logger: quiet });
    expect(first).toEqual({ backfills: 1, triggers: 2, done: 0 });
    // nothing finished: nothing more is made
    expect((await runBackfillPass({ db, logger: quiet })).triggers).toBe(0);
    expect(await unfinished(db, b.id)).toBe(2);

    // one finishes, one is running: the pass makes one more
    const [t1, t2] = await triggersOf(db, b.id);
    await markRunning(db, t1!.id);
    await db
      .updateTable("triggers")
      .set({ status: "succeeded", finished_at: new Date() })
      .where("id", "=", t2!.id)
      .execute();
    expect((await runBackfillPass({ db, logger: quiet })).triggers).toBe(1);
    expect(await unfinished(db, b.id)).toBe(2);

    let passes = 0;
    for (;;) {
      const stats = await runBackfillPass({ db, logger: quiet });
      expect(await unfinished(db, b.id)).toBeLessThanOrEqual(2);
      if (stats.done === 1) {
        break;
      }
      await finishAll(db, b.id);
      passes += 1;
      expect(passes).toBeLessThan(10);
    }

    const triggers = await triggersOf(db, b.id);
    expect(windowsOf(triggers)).toEqual([
      ["2026-11-01T00:00:00.000Z", "2026-11-01T01:00:00.000Z"],
      ["2026-11-01T01:00:00.000Z", "2026-11-01T02:00:00.000Z"],
      ["2026-11-01T02:00:00.000Z", "2026-11-01T03:00:00.000Z"],
      ["2026-11-01T03:00:00.000Z", "2026-11-01T04:00:00.000Z"],
      ["2026-11-01T04:00:00.000Z", "2026-11-01T04:30:00.000Z"],
    ]);
    for (const t of triggers) {
      expect(t).toMatchObject({
        source: "backfill",
        project_id: p.id,
        schedule_id: null,
        max_attempts: 3,
        requested_by: "test",
      });
    }
    const progress = await getBackfillProgress(db, b.id);
    expect(progress).toMatchObject({
      status: "done",
      total: 5,
      next_window: 5,
      created: 5,
      existing: 0,
      succeeded: 5,
      pending: 0,
      running: 0,
    });
    expect(progress?.finished_at).toBeInstanceOf(Date);
    // a done backfill is not looked at again
    expect(await topUpBackfill(db, b.id)).toEqual({
      locked: false,
      created: 0,
      done: false,
    });
  },
);

dbTest(
  "a repeat of the same range makes no trigger; an overlapping one makes only the new windows",
  async ({ db }) => {
    const p = await insertProject(db);
    const first = await startBackfill(
      db,
      p.id,
      "2026-10-01T00:00:00Z",
      "2026-10-04T00:00:00Z",
      "P1D",
      3,
    );
    await runBackfillPass({ db, logger: quiet });
    expect(await triggersOf(db, first.id)).toHaveLength(3);

    // still running: the repeat finds every window covered
    const repeat = await startBackfill(
      db,
      p.id,
      "2026-10-01T00:00:00Z",
      "2026-10-04T00:00:00Z",
      "P1D",
      1,
    );
    await runBackfillPass({ db, logger: quiet });
    expect(await triggersOf(db, repeat.id)).toHaveLength(0);
    expect(await getBackfillProgress(db, repeat.id)).toMatchObject({
      status: "done",
      created: 0,
      existing: 3,
      next_window: 3,
    });

    // another project's windows are its own
    const other = await insertProject(db);
    const otherBackfill = await startBackfill(
      db,
      other.id,
      "2026-10-01T00:00:00Z",
      "2026-10-04T00:00:00Z",
      "P1D",
      3,
    );
    await topUpBackfill(db, otherBackfill.id);
    expect(await triggersOf(db, otherBackfill.id)).toHaveLength(3);

    const wider = await startBackfill(
      db,
      p.id,
      "2026-09-30T00:00:00Z",
      "2026-10-06T00:00:00Z",
      "P1D",
      10,
    );
    await topUpBackfill(db, wider.id);
    expect(windowsOf(await triggersOf(db, wider.id))).toEqual([
      ["2026-09-30T00:00:00.000Z", "2026-10-01T00:00:00.000Z"],
      ["2026-10-04T00:00:00.000Z", "2026-10-05T00:00:00.000Z"],
      ["2026-10-05T00:00:00.000Z", "2026-10-06T00:00:00.000Z"],
    ]);
    expect(await getBackfillProgress(db, wider.id)).toMatchObject({
      status: "running",
      created: 3,
      existing: 3,
      next_window: 6,
    });
    const { count } = await db
      .selectFrom("triggers")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("project_id", "=", p.id)
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(6);
  },
);

dbTest(
  "cancel stops new triggers and cancels pending ones; running ones go on, and a cancelled window can be backfilled again",
  async ({ db }) => {
    const p = await insertProject(db);
    const b = await startBackfill(
      db,
      p.id,
      "2026-11-01T00:00:00Z",
      "2026-11-01T10:00:00Z",
      "PT1H",
      3,
    );
    await topUpBackfill(db, b.id);
    const [running] = await triggersOf(db, b.id);
    await markRunning(db, running!.id);

    const status = await db.transaction().execute(async (trx) => {
      const now = await cancelBackfill(trx, b.id);
      expect(await cancelPendingBackfillTriggers(trx, b.id)).toBe(2);
      return now;
    });
    expect(status).toBe("cancelled");
    await runBackfillPass({ db, logger: quiet });
    expect(await topUpBackfill(db, b.id)).toEqual({
      locked: false,
      created: 0,
      done: false,
    });
    const progress = await getBackfillProgress(db, b.id);
    expect(progress).toMatchObject({
      status: "cancelled",
      created: 3,
      running: 1,
      cancelled: 2,
      pending: 0,
    });
    // cancelling again changes nothing; an unknown one is undefined
    await db.transaction().execute(async (trx) => {
      expect(await cancelBackfill(trx, b.id)).toBe("cancelled");
      expect(await cancelBackfill(trx, 999_999)).toBeUndefined();
    });

    // the cancelled windows are free again; the running one is not
    const again = await startBackfill(
      db,
      p.id,
      "2026-11-01T00:00:00Z",
      "2026-11-01T03:00:00Z",
      "PT1H",
      5,
    );
    await topUpBackfill(db, again.id);
    expect(windowsOf(await triggersOf(db, again.id))).toEqual([
      ["2026-11-01T01:00:00.000Z", "2026-11-01T02:00:00.000Z"],
      ["2026-11-01T02:00:00.000Z", "2026-11-01T03:00:00.000Z"],
    ]);
  },
);

dbTest(
  "top-ups racing on one backfill never exceed its concurrency",
  async ({ db }) => {
    const p = await insertProject(db);
    const b = await startBackfill(
      db,
      p.id,
      "2026-11-01T00:00:00Z",
      "2026-11-02T00:00:00Z",
      "PT1H",
      2,
    );
    for (let round = 0; round < 15; round += 1) {
      await Promise.all(
        Array.from({ length: 4 }, () => topUpBackfill(db, b.id)),
      );
      expect(await unfinished(db, b.id)).toBeLessThanOrEqual(2);
      await finishAll(db, b.id);
    }
    await runBackfillPass({ db, logger: quiet });
    const triggers = await triggersOf(db, b.id);
    expect(triggers).toHaveLength(24);
    expect(new Set(windowsOf(triggers).map((w) => w[0])).size).toBe(24);
    expect((await getBackfillProgress(db, b.id))?.status).toBe("done");
  },
);

dbTest(
  "the project's own max_concurrency still holds through the normal claim: a backfill of concurrency 3 on a project allowing 1 runs one at a time",
  async ({ db }) => {
    const p = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_concurrency: 1 },
    });
    const b = await startBackfill(
      db,
      p.id,
      "2026-11-01T00:00:00Z",
      "2026-11-01T03:00:00Z",
      "PT1H",
      3,
    );
    await topUpBackfill(db, b.id);
    expect(await unfinished(db, b.id)).toBe(3);
    const first = await claimDueTriggers(db, {
      workerId: "w-a",
      leaseSeconds: 30,
      limit: 10,
    });
    const mine = first.claimed.filter((c) => c.projectId === p.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.source).toBe("backfill");
    expect(mine[0]?.windowEnd).toBeInstanceOf(Date);
    const second = await claimDueTriggers(db, {
      workerId: "w-b",
      leaseSeconds: 30,
      limit: 10,
    });
    expect(second.claimed.filter((c) => c.projectId === p.id)).toEqual([]);
  },
);
