import { sql } from "kysely";
import { expect } from "vitest";

import type { JsonObject } from "../../tables/common.js";
import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { finishRuns, type FinishRunsItem } from "../executions/finish-runs.js";
import { claimDueTriggers, type ClaimedTrigger } from "./claim.js";
import { rescueLostRuns } from "./rescue.js";

// migrations/0010_claim_fast_path.sql: when every due trigger the claim looks at is `allow`, in
// deadline and of an active project, a small UPDATE + INSERT claims instead of the large
// statement. These pin that path to the large statement's results; claim.test.ts covers the rest.

const ago = (ms: number) => new Date(Date.now() - ms);
const project = (
  db: Parameters<typeof insertProject>[0],
  config: JsonObject = {},
) =>
  insertProject(db, { config: { data_source: { type: "manual" }, ...config } });

/** The tests share a database and a claim takes due triggers of every project: leave none behind. */
const cancelPending = (
  db: Parameters<typeof insertProject>[0],
  projectIds: string[],
) =>
  sql`UPDATE triggers SET status = 'cancelled', finished_at = now() WHERE project_id = ANY(${projectIds}::text[]) AND status = 'pending'`.execute(
    db,
  );

const success = (c: ClaimedTrigger, workerId: string): FinishRunsItem => ({
  fence: { triggerId: c.triggerId, workerId, attempt: c.attempt },
  trigger: { kind: "finished", status: "succeeded" },
  lastError: null,
  execution: { executionId: c.executionId, status: "success" },
  resolveOpen: null,
  projectId: c.projectId,
  guardMd5: null,
});

dbTest(
  "runs of several projects are taken oldest first, each project up to its free room, up to the limit",
  async ({ db }) => {
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
    const r = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 3,
    });
    // a has room for one (one running of 2): a1, not a2; then b in fire_at order, three in all
    expect(r.claimed.map((c) => c.triggerId)).toEqual([a1!.id, b1!.id, b2!.id]);
    expect(r.skipped).toEqual([]);
    const pending = await db
      .selectFrom("triggers")
      .select("id")
      .where("status", "=", "pending")
      .orderBy("id")
      .execute();
    expect(pending.map((t) => t.id)).toContain(a2!.id);
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
    await cancelPending(db, [a.id, b.id]);
  },
);

dbTest(
  "the project's limit counts this worker's own running triggers until their record lands",
  async ({ db }) => {
    const p = await project(db, { max_concurrency: 2 });
    await insertTriggers(db, p.id, 5, { fire_at: ago(1000) });
    const first = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 10,
    });
    expect(first.claimed).toHaveLength(2);
    expect(
      (
        await claimDueTriggers(db, {
          workerId: "w",
          leaseSeconds: 30,
          limit: 10,
        })
      ).claimed,
    ).toHaveLength(0);
    expect(
      (await finishRuns(db, "w", [success(first.claimed[0]!, "w")]))[0]
        ?.outcome,
    ).toBe("recorded");
    expect(
      (
        await claimDueTriggers(db, {
          workerId: "w",
          leaseSeconds: 30,
          limit: 10,
        })
      ).claimed,
    ).toHaveLength(1);
    await cancelPending(db, [p.id]);
  },
);

dbTest(
  "a lost lease stays fenced: the rescued trigger is claimed again, and the first worker's record writes nothing",
  async ({ db }) => {
    const p = await project(db, { max_concurrency: 10, max_attempts: 3 });
    const [t] = await insertTriggers(db, p.id, 1, { fire_at: ago(1000) });
    const first = (
      await claimDueTriggers(db, {
        workerId: "old",
        leaseSeconds: 30,
        limit: 1,
      })
    ).claimed[0]!;
    expect(first).toMatchObject({
      triggerId: t!.id,
      attempt: 1,
      maxAttempts: 3,
    });
    await sql`UPDATE triggers SET lease_expires_at = now() - interval '1 second' WHERE id = ${t!.id}`.execute(
      db,
    );
    expect(
      await rescueLostRuns(db, { limit: 10, maxRescues: 3, rescuerId: null }),
    ).toMatchObject([{ triggerId: t!.id, status: "pending" }]);
    const second = (
      await claimDueTriggers(db, {
        workerId: "new",
        leaseSeconds: 30,
        limit: 1,
      })
    ).claimed[0]!;
    // the rescue gave the attempt back: the execution, not the attempt, tells the claims apart
    expect(second).toMatchObject({ triggerId: t!.id, attempt: 1 });
    expect(second.executionId).not.toBe(first.executionId);
    expect(
      (await finishRuns(db, "old", [success(first, "old")]))[0]?.outcome,
    ).toBe("lost");
    const row = await db
      .selectFrom("triggers")
      .select(["status", "claimed_by", "attempt"])
      .where("id", "=", t!.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "running", claimed_by: "new", attempt: 1 });
    const execs = await db
      .selectFrom("executions")
      .select(["worker_id", "status"])
      .where("trigger_id", "=", t!.id)
      .orderBy("id")
      .execute();
    expect(execs).toEqual([
      { worker_id: "old", status: "lost" },
      { worker_id: "new", status: "running" },
    ]);
  },
);

dbTest(
  "a due trigger another transaction holds is skipped, not waited on",
  async ({ db }) => {
    const p = await project(db, { max_concurrency: 10 });
    const [held] = await insertTriggers(db, p.id, 1, { fire_at: ago(2000) });
    const [next] = await insertTriggers(db, p.id, 1, { fire_at: ago(1000) });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.transaction().execute(async (trx) => {
      await sql`SELECT id FROM triggers WHERE id = ${held!.id} FOR UPDATE`.execute(
        trx,
      );
      locked();
      await released;
    });
    await isLocked;
    const r = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 5,
    });
    release();
    await holder;
    expect(r.claimed.map((c) => c.triggerId)).toEqual([next!.id]);
    await cancelPending(db, [p.id]);
  },
);

dbTest(
  "one trigger the fast path cannot decide sends the claim down the general path, with its results",
  async ({ db }) => {
    const p = await project(db, { max_concurrency: 5 });
    const allow = await insertTriggers(db, p.id, 2, {
      fire_at: ago(3000),
      concurrency_policy: "allow",
    });
    const [forbid] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "forbid",
    });
    const r = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 5,
    });
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
  "due triggers of an inactive project are skipped, those of an active one claimed in the same call",
  async ({ db }) => {
    const off = await insertProject(db, {
      isActive: false,
      config: { data_source: { type: "manual" }, max_concurrency: 5 },
    });
    const on = await project(db, { max_concurrency: 5 });
    const [offT] = await insertTriggers(db, off.id, 1, { fire_at: ago(2000) });
    const [onT] = await insertTriggers(db, on.id, 1, { fire_at: ago(1000) });
    const r = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 5,
    });
    expect(r.claimed.map((c) => c.triggerId)).toEqual([onT!.id]);
    expect(r.skipped).toEqual([
      expect.objectContaining({
        triggerId: offT!.id,
        reason: expect.stringContaining("inactive"),
      }),
    ]);
  },
);
