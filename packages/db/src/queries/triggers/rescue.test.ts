import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { claimDueTriggers } from "./claim.js";
import { finishTrigger } from "./finish.js";
import { extendLeases } from "./lease.js";
import { releaseTrigger } from "./requeue.js";
import { rescueExpiredLeases } from "./rescue.js";

const expireLeases = (
  db: Parameters<typeof rescueExpiredLeases>[0],
  projectId: string,
) =>
  sql`UPDATE triggers SET lease_expires_at = now() - interval '1 second' WHERE project_id = ${projectId} AND status = 'running'`.execute(
    db,
  );

dbTest(
  "an expired lease is requeued with its attempt counted, or failed when attempts are spent",
  async ({ db }) => {
    const p = await insertProject(db, {
      config: {
        data_source: { type: "manual" },
        max_concurrency: 10,
        max_attempts: 2,
      },
    });
    const [t] = await insertTriggers(db, p.id, 1, {
      fire_at: new Date(Date.now() - 1000),
    });
    await claimDueTriggers(db, {
      workerId: "dead",
      leaseSeconds: 30,
      limit: 1,
    });
    await expireLeases(db, p.id);
    expect(await rescueExpiredLeases(db, { limit: 10 })).toEqual({
      requeued: 1,
      failed: 0,
    });
    const second = await claimDueTriggers(db, {
      workerId: "alive",
      leaseSeconds: 30,
      limit: 1,
    });
    expect(second.claimed[0]).toMatchObject({ triggerId: t!.id, attempt: 2 });
    await expireLeases(db, p.id);
    expect(await rescueExpiredLeases(db, { limit: 10 })).toEqual({
      requeued: 0,
      failed: 1,
    });
    const execs = await db
      .selectFrom("executions")
      .select("status")
      .where("trigger_id", "=", t!.id)
      .execute();
    expect(execs.map((e) => e.status)).toEqual(["failed", "failed"]);
  },
);

dbTest(
  "a late write from a rescued run is rejected, even when the same worker re-claimed the trigger",
  async ({ db }) => {
    const p = await insertProject(db, {
      config: {
        data_source: { type: "manual" },
        max_concurrency: 10,
        max_attempts: 3,
      },
    });
    const [t] = await insertTriggers(db, p.id, 1, {
      fire_at: new Date(Date.now() - 1000),
    });
    const first = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 1,
    });
    await expireLeases(db, p.id);
    await rescueExpiredLeases(db, { limit: 10 });
    expect(
      await extendLeases(db, {
        workerId: "w",
        claims: [{ triggerId: t!.id, attempt: 1 }],
        leaseSeconds: 30,
      }),
    ).toEqual(new Set());
    await claimDueTriggers(db, { workerId: "w", leaseSeconds: 30, limit: 1 });
    const late = await db.transaction().execute((trx) =>
      finishTrigger(trx, {
        triggerId: t!.id,
        workerId: "w",
        attempt: first.claimed[0]!.attempt,
        status: "succeeded",
      }),
    );
    expect(late).toBe(false);
    const current = await db.transaction().execute((trx) =>
      finishTrigger(trx, {
        triggerId: t!.id,
        workerId: "w",
        attempt: 2,
        status: "succeeded",
      }),
    );
    expect(current).toBe(true);
  },
);

dbTest(
  "releasing a trigger on shutdown does not spend an attempt",
  async ({ db }) => {
    const p = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_concurrency: 10 },
    });
    const [t] = await insertTriggers(db, p.id, 1, {
      fire_at: new Date(Date.now() - 1000),
    });
    await claimDueTriggers(db, { workerId: "w", leaseSeconds: 30, limit: 1 });
    const ok = await db.transaction().execute((trx) =>
      releaseTrigger(trx, {
        triggerId: t!.id,
        workerId: "w",
        attempt: 1,
        reason: "shutdown",
      }),
    );
    expect(ok).toBe(true);
    const row = await db
      .selectFrom("triggers")
      .selectAll()
      .where("id", "=", t!.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempt: 0 });
  },
);
