import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import type { JsonObject } from "../../tables/common.js";
import {
  dbTest,
  insertProject,
  insertSchedule,
  insertTriggers,
} from "../../testing/index.js";
import { claimDueTriggers } from "./claim.js";

// What the claim decides for each due trigger: concurrency policy (allow, forbid, replace),
// starting deadline, inactive project. claim.concurrency.test.ts covers limits and racing
// claimers, claim.order.test.ts which due runs are found and in what order.

const ago = (ms: number) => new Date(Date.now() - ms);
const project = (db: Db, config: JsonObject = {}) =>
  insertProject(db, {
    config: {
      data_source: { type: "manual" },
      max_concurrency: 100,
      ...config,
    },
  });
const claim = (db: Db, workerId: string, limit = 10) =>
  claimDueTriggers(db, { workerId, leaseSeconds: 30, limit });

/** The tests share a database and a claim takes due triggers of every project: leave none behind. */
const clearQueue = (db: Db) =>
  sql`UPDATE triggers SET status = 'cancelled', finished_at = now(), lease_expires_at = NULL
      WHERE status IN ('pending', 'running')`.execute(db);

const triggerRow = (db: Db, id: number) =>
  db
    .selectFrom("triggers")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

dbTest(
  "forbid skips a due trigger while another run of the project is running, naming that run",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db, { max_concurrency: 5 });
    const [running] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(2000),
      concurrency_policy: "forbid",
    });
    expect((await claim(db, "a")).claimed).toHaveLength(1);
    const [late] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "forbid",
    });
    const second = await claim(db, "b");
    expect(second.claimed).toHaveLength(0);
    expect(second.skipped).toEqual([
      {
        triggerId: late!.id,
        projectId: p.id,
        reason: `concurrency policy forbid: another run of project ${p.id} is running`,
      },
    ]);
    expect(await triggerRow(db, late!.id)).toMatchObject({
      status: "skipped",
      skipped_for_trigger_id: running!.id,
    });
  },
);

dbTest(
  "forbid: of two due triggers the older runs and the newer is skipped for it",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db, { max_concurrency: 5 });
    const [older] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(2000),
      concurrency_policy: "forbid",
    });
    const [newer] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "forbid",
    });
    const r = await claim(db, "w");
    expect(r.claimed.map((c) => c.triggerId)).toEqual([older!.id]);
    expect(r.skipped.map((s) => s.triggerId)).toEqual([newer!.id]);
    expect(await triggerRow(db, newer!.id)).toMatchObject({
      status: "skipped",
      skipped_for_trigger_id: older!.id,
    });
  },
);

dbTest(
  "replace cancels the running trigger and its execution and runs the new one",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db, { max_concurrency: 1 });
    const [old] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(2000),
      concurrency_policy: "replace",
    });
    await claim(db, "a");
    const [next] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "replace",
    });
    const r = await claim(db, "b");
    expect(r.claimed.map((c) => c.triggerId)).toEqual([next!.id]);
    expect(r.replaced).toEqual([
      { triggerId: old!.id, projectId: p.id, replacedBy: next!.id },
    ]);
    expect((await triggerRow(db, old!.id)).status).toBe("cancelled");
    const oldExec = await db
      .selectFrom("executions")
      .selectAll()
      .where("trigger_id", "=", old!.id)
      .executeTakeFirstOrThrow();
    expect(oldExec).toMatchObject({
      status: "cancelled",
      error_message: `replaced by trigger ${next!.id}`,
    });
  },
);

dbTest(
  "allow runs overlapping triggers up to the project's limit and leaves the rest pending",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db, { max_concurrency: 2 });
    await insertTriggers(db, p.id, 3, {
      fire_at: ago(1000),
      concurrency_policy: "allow",
    });
    const r = await claim(db, "a");
    expect(r.claimed).toHaveLength(2);
    expect(r.skipped).toHaveLength(0);
    const pending = await db
      .selectFrom("triggers")
      .select("id")
      .where("project_id", "=", p.id)
      .where("status", "=", "pending")
      .execute();
    expect(pending).toHaveLength(1);
  },
);

dbTest(
  "one claim decides allow and forbid triggers of a project together: the allows run, the forbid overlapping them is skipped",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db, { max_concurrency: 5 });
    const allow = await insertTriggers(db, p.id, 2, {
      fire_at: ago(3000),
      concurrency_policy: "allow",
    });
    const [forbid] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "forbid",
    });
    const r = await claim(db, "w", 5);
    expect(r.claimed.map((c) => c.triggerId).sort((x, y) => x - y)).toEqual(
      allow.map((t) => t.id),
    );
    expect(r.skipped).toEqual([
      expect.objectContaining({
        triggerId: forbid!.id,
        reason: expect.stringContaining("forbid"),
      }),
    ]);
  },
);

dbTest(
  "a trigger past its starting deadline is skipped with the reason instead of claimed",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db);
    const [late] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(120_000),
      starting_deadline_seconds: 60,
    });
    const r = await claim(db, "a");
    expect(r.claimed).toHaveLength(0);
    expect(r.skipped).toEqual([
      {
        triggerId: late!.id,
        projectId: p.id,
        reason: "missed its starting deadline (60 s after fire_at)",
      },
    ]);
  },
);

dbTest(
  "due triggers of an inactive project are skipped, those of an active one claimed in the same call",
  async ({ db }) => {
    await clearQueue(db);
    const off = await insertProject(db, {
      isActive: false,
      config: { data_source: { type: "manual" }, max_concurrency: 5 },
    });
    const on = await project(db, { max_concurrency: 5 });
    const [offT] = await insertTriggers(db, off.id, 1, { fire_at: ago(2000) });
    const [onT] = await insertTriggers(db, on.id, 1, { fire_at: ago(1000) });
    const r = await claim(db, "w", 5);
    expect(r.claimed.map((c) => c.triggerId)).toEqual([onT!.id]);
    expect(r.skipped).toEqual([
      {
        triggerId: offT!.id,
        projectId: off.id,
        reason: `project ${off.id} is inactive`,
      },
    ]);
  },
);

dbTest(
  "the claim takes max_attempts from the project's config, clamped into the contract's bounds",
  async ({ db }) => {
    await clearQueue(db);
    const three = await project(db, { max_attempts: 3 });
    // written past the contract (psql): the claim still runs inside 1..100
    const huge = await project(db, { max_attempts: 5000 });
    const none = await project(db);
    for (const p of [three, huge, none]) {
      await insertTriggers(db, p.id, 1, { fire_at: ago(1000) });
    }
    const r = await claim(db, "a");
    const byProject = new Map(r.claimed.map((c) => [c.projectId, c]));
    expect(byProject.get(three.id)).toMatchObject({
      attempt: 1,
      maxAttempts: 3,
    });
    expect(byProject.get(huge.id)?.maxAttempts).toBe(100);
    expect(byProject.get(none.id)?.maxAttempts).toBe(1);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM executions WHERE project_id = ${three.id}`.execute(
      db,
    );
    expect(rows[0]?.n).toBe(1);
  },
);

dbTest(
  "a forbid schedule's unsettled backlog (two due fire times that never started) waits for the trigger-creator's misfire decision instead of running the stale one",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db);
    const schedule = await insertSchedule(db, p.id, {
      concurrencyPolicy: "forbid",
    });
    const backlog = { schedule_id: schedule.id, source: "schedule" as const };
    const [stale] = await insertTriggers(db, p.id, 1, {
      ...backlog,
      fire_at: ago(120_000),
      concurrency_policy: "forbid",
    });
    const [current] = await insertTriggers(db, p.id, 1, {
      ...backlog,
      fire_at: ago(1000),
      concurrency_policy: "forbid",
    });
    const held = await claim(db, "a");
    expect(held.claimed).toEqual([]);
    expect(held.skipped).toEqual([]);
    // the creator's settling decided (say `skip` for the missed one): the current one runs
    await sql`UPDATE triggers SET status = 'skipped', finished_at = now(), last_error = 'missed'
              WHERE id = ${stale!.id}`.execute(db);
    expect((await claim(db, "a")).claimed.map((c) => c.triggerId)).toEqual([
      current!.id,
    ]);
  },
);
