import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import type { JsonObject } from "../../tables/common.js";
import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { claimDueTriggers } from "./claim.js";

// Which due runs the claim finds and in what order it takes them: among many projects whose runs
// lie ahead, behind a retry's backoff, the longest due first, and a burst of one fire time in an
// order that rotates, so no project always starts last.

const ago = (ms: number) => new Date(Date.now() - ms);
const ahead = (ms: number) => new Date(Date.now() + ms);
const project = (db: Db, config: JsonObject = {}, id?: string) =>
  insertProject(db, {
    ...(id === undefined ? {} : { id }),
    config: { data_source: { type: "manual" }, max_concurrency: 5, ...config },
  });
const claim = (db: Db, limit: number) =>
  claimDueTriggers(db, { workerId: "w", leaseSeconds: 30, limit });

/** The tests share a database and a claim takes due triggers of every project: leave none behind. */
const clearQueue = (db: Db) =>
  sql`UPDATE triggers SET status = 'cancelled', finished_at = now(), lease_expires_at = NULL
      WHERE status IN ('pending', 'running')`.execute(db);

dbTest(
  "runs of several projects are taken longest due first, each project up to its free room, up to the limit",
  async ({ db }) => {
    await clearQueue(db);
    const a = await project(db, { max_concurrency: 2 });
    const b = await project(db, { max_concurrency: 5 });
    await insertTriggers(db, a.id, 1, { fire_at: ago(10_000) });
    await claimDueTriggers(db, {
      workerId: "earlier",
      leaseSeconds: 30,
      limit: 1,
    });
    const [a1] = await insertTriggers(db, a.id, 1, { fire_at: ago(5000) });
    const [a2] = await insertTriggers(db, a.id, 1, { fire_at: ago(3000) });
    const [b1] = await insertTriggers(db, b.id, 1, { fire_at: ago(4000) });
    const [b2] = await insertTriggers(db, b.id, 1, { fire_at: ago(2000) });
    await insertTriggers(db, b.id, 1, { fire_at: ago(1000) });
    const r = await claim(db, 3);
    // a has room for one (one running of 2): a1, not a2; then b oldest first, three in all
    expect(r.claimed.map((c) => c.triggerId)).toEqual([a1!.id, b1!.id, b2!.id]);
    expect(r.skipped).toEqual([]);
    const a2Row = await db
      .selectFrom("triggers")
      .select("status")
      .where("id", "=", a2!.id)
      .executeTakeFirstOrThrow();
    expect(a2Row.status).toBe("pending");
    const running = await db
      .selectFrom("executions")
      .select(["trigger_id", "worker_id", "status"])
      .where("worker_id", "=", "w")
      .orderBy("trigger_id")
      .execute();
    expect(running).toEqual(
      [a1, b1, b2].map((t) => ({
        trigger_id: t!.id,
        worker_id: "w",
        status: "running",
      })),
    );
  },
);

dbTest(
  "a retry that waited out its backoff is as old as the time it became due, not its fire time",
  async ({ db }) => {
    await clearQueue(db);
    const fresh = await project(db);
    const retried = await project(db);
    // fired long ago but due only since 2 s ago; the other has been due for 5 s
    const [retry] = await insertTriggers(db, retried.id, 1, {
      fire_at: ago(60_000),
      available_at: ago(2000),
    });
    const [waiting] = await insertTriggers(db, fresh.id, 1, {
      fire_at: ago(5000),
    });
    expect((await claim(db, 1)).claimed.map((c) => c.triggerId)).toEqual([
      waiting!.id,
    ]);
    expect((await claim(db, 1)).claimed.map((c) => c.triggerId)).toEqual([
      retry!.id,
    ]);
  },
);

dbTest(
  "a burst of one fire time over many projects starts them in an order that changes from one fire time to the next",
  async ({ db }) => {
    await clearQueue(db);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(
        (await project(db, {}, `burst-${String(i).padStart(2, "0")}`)).id,
      );
    }
    const firsts: string[] = [];
    const lasts: string[] = [];
    for (let burst = 0; burst < 8; burst++) {
      // one fire time per burst, shared by all 40 projects
      const fireAt = ago(60_000 - burst * 1000);
      for (const id of ids) {
        await insertTriggers(db, id, 1, { fire_at: fireAt });
      }
      const order: string[] = [];
      for (let i = 0; i < 40; i += 10) {
        order.push(...(await claim(db, 10)).claimed.map((c) => c.projectId));
      }
      expect(new Set(order).size).toBe(40);
      firsts.push(...order.slice(0, 10));
      lasts.push(...order.slice(30));
      await clearQueue(db);
    }
    // in project id order the same ten would start first (and last) every time
    expect(new Set(firsts).size).toBeGreaterThan(20);
    expect(new Set(lasts).size).toBeGreaterThan(20);
  },
);

dbTest(
  "due runs are found between and after many projects whose runs all lie ahead",
  async ({ db }) => {
    await clearQueue(db);
    const prefix = `skip-${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const p = await project(
        db,
        {},
        `${prefix}-${String(i).padStart(3, "0")}`,
      );
      ids.push(p.id);
      await insertTriggers(db, p.id, 3, { fire_at: ahead(60_000 + i) });
    }
    // due work in the middle of the id range, at its end, and in a project that also has runs ahead
    const [middle] = await insertTriggers(db, ids[57]!, 1, {
      fire_at: ago(3000),
    });
    const [last] = await insertTriggers(db, ids[119]!, 1, {
      fire_at: ago(4000),
    });
    const [first] = await insertTriggers(db, ids[0]!, 1, {
      fire_at: ago(2000),
    });
    const r = await claim(db, 10);
    expect(r.claimed.map((c) => c.triggerId)).toEqual([
      last!.id,
      middle!.id,
      first!.id,
    ]);
    expect(await claim(db, 10)).toMatchObject({ claimed: [] });
    const pending = await db
      .selectFrom("triggers")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("project_id", "in", ids)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(360);
  },
);

dbTest(
  "a project whose oldest pending run waits out a retry backoff is found through a later due run",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db);
    const [backingOff] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(10_000),
      available_at: ahead(3_600_000),
    });
    const [due] = await insertTriggers(db, p.id, 1, { fire_at: ago(5000) });
    const r = await claim(db, 10);
    expect(r.claimed.map((c) => c.triggerId)).toEqual([due!.id]);
    const row = await db
      .selectFrom("triggers")
      .select("status")
      .where("id", "=", backingOff!.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
  },
);

dbTest(
  "future triggers and retries waiting for their backoff are not claimed",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db);
    await insertTriggers(db, p.id, 2, { fire_at: ahead(60_000) });
    await insertTriggers(db, p.id, 1, {
      fire_at: ago(60_000),
      available_at: ahead(60_000),
    });
    expect((await claim(db, 10)).claimed).toHaveLength(0);
  },
);
