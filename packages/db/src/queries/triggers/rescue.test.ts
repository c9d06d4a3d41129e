import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { createWorkerLock } from "../../worker-lock.js";
import { registerWorker } from "../workers/register.js";
import { claimDueTriggers } from "./claim.js";
import { extendLeases } from "./lease.js";
import { rescueLostRuns } from "./rescue.js";

const expireLeases = (db: Db, projectId: string) =>
  sql`UPDATE triggers SET lease_expires_at = now() - interval '1 second' WHERE project_id = ${projectId} AND status = 'running'`.execute(
    db,
  );

const byLease = { limit: 10, maxRescues: 3, rescuerId: null };

/** The claims below take any due trigger: earlier tests' leftovers must not be due. */
const clearQueue = (db: Db) =>
  sql`UPDATE triggers SET status = 'cancelled', finished_at = now(), lease_expires_at = NULL
      WHERE status IN ('pending', 'running')`.execute(db);

async function dueProject(db: Db, config: Record<string, unknown> = {}) {
  const p = await insertProject(db, {
    config: { data_source: { type: "manual" }, max_concurrency: 10, ...config },
  });
  const [t] = await insertTriggers(db, p.id, 1, {
    fire_at: new Date(Date.now() - 1000),
  });
  return { project: p, trigger: t! };
}

const claimAs = (db: Db, workerId: string) =>
  claimDueTriggers(db, { workerId, leaseSeconds: 30, limit: 1 });

async function registerLockHolder(db: Db, id: string, presenceLock = true) {
  await registerWorker(db, {
    id,
    app: "executor",
    hostname: "h",
    pid: 1,
    version: "test",
    presenceLock,
  });
}

const triggerRow = (db: Db, id: number) =>
  db
    .selectFrom("triggers")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

dbTest(
  "an expired lease sends the run back to pending without spending an attempt; its execution is closed as lost with the reason",
  async ({ db }) => {
    await clearQueue(db);
    const { project, trigger } = await dueProject(db, { max_attempts: 1 });
    const { claimed } = await claimAs(db, "frozen");
    await expireLeases(db, project.id);
    const rescued = await rescueLostRuns(db, byLease);
    expect(rescued).toEqual([
      expect.objectContaining({
        triggerId: trigger.id,
        executionId: claimed[0]!.executionId,
        workerId: "frozen",
        cause: "lease",
        status: "pending",
        rescues: 1,
      }),
    ]);
    expect(await triggerRow(db, trigger.id)).toMatchObject({
      status: "pending",
      attempt: 0,
      rescues: 1,
      lease_expires_at: null,
    });
    const execution = await db
      .selectFrom("executions")
      .selectAll()
      .where("id", "=", claimed[0]!.executionId)
      .executeTakeFirstOrThrow();
    expect(execution.status).toBe("lost");
    expect(execution.error_message).toBe(
      "rescued: worker frozen stopped renewing its lease (frozen, partitioned or dead)",
    );
    // max_attempts 1 and a crash did not spend it: the run is claimed again as attempt 1
    const again = await claimAs(db, "other");
    expect(again.claimed[0]).toMatchObject({
      triggerId: trigger.id,
      attempt: 1,
    });
  },
);

dbTest(
  "a trigger rescued maxRescues times is quarantined: failed, with the count in its reason",
  async ({ db }) => {
    await clearQueue(db);
    const { project, trigger } = await dueProject(db);
    for (let n = 1; n <= 3; n++) {
      await claimAs(db, `victim-${n}`);
      await expireLeases(db, project.id);
      const [r] = await rescueLostRuns(db, byLease);
      expect(r).toMatchObject({
        rescues: n,
        status: n < 3 ? "pending" : "failed",
      });
    }
    const row = await triggerRow(db, trigger.id);
    expect(row).toMatchObject({ status: "failed", rescues: 3, attempt: 0 });
    expect(row.finished_at).not.toBeNull();
    expect(row.last_error).toBe(
      "quarantined: its runs killed 3 workers (last: worker victim-3 stopped renewing its lease (frozen, partitioned or dead))",
    );
    expect((await claimAs(db, "next")).claimed).toEqual([]);
  },
);

dbTest(
  "a worker whose lock is free is rescued at once by a rescuer that judges locks; a held lock, a worker without presence_lock, or a rescuer that does not judge locks waits for the lease",
  async ({ db, testDatabase }) => {
    await clearQueue(db);
    const alive = createWorkerLock({
      connectionString: testDatabase.url,
      workerId: "alive",
    });
    await alive.acquire();
    try {
      await registerLockHolder(db, "alive");
      await registerLockHolder(db, "dead");
      await registerLockHolder(db, "old-executor", false);
      const runs = {
        alive: await dueProject(db),
        dead: await dueProject(db),
        "old-executor": await dueProject(db),
      };
      for (const worker of Object.keys(runs) as (keyof typeof runs)[]) {
        const { claimed } = await claimAs(db, worker);
        expect(claimed).toHaveLength(1);
      }
      expect(await rescueLostRuns(db, byLease)).toEqual([]);
      const rescued = await rescueLostRuns(db, {
        ...byLease,
        rescuerId: "rescuer",
      });
      expect(rescued).toEqual([
        expect.objectContaining({
          triggerId: runs.dead.trigger.id,
          cause: "lock",
          status: "pending",
          reason:
            "rescued: worker dead lost its database session (it died or its connection closed)",
        }),
      ]);
      expect(await rescueLostRuns(db, { ...byLease, rescuerId: "x" })).toEqual(
        [],
      );
    } finally {
      await alive.release();
    }
    // released: the live worker's runs are free to take now
    const after = await rescueLostRuns(db, { ...byLease, rescuerId: "x" });
    expect(after.map((r) => r.workerId)).toEqual(["alive"]);
  },
);

dbTest(
  "a rescuer never judges its own runs by its lock, except those of a previous process under its id",
  async ({ db }) => {
    await clearQueue(db);
    await registerLockHolder(db, "me");
    const { trigger } = await dueProject(db);
    await claimAs(db, "me");
    expect(await rescueLostRuns(db, { ...byLease, rescuerId: "me" })).toEqual(
      [],
    );
    const rescued = await rescueLostRuns(db, {
      ...byLease,
      rescuerId: "me",
      restartedWorkerId: "me",
    });
    expect(rescued).toEqual([
      expect.objectContaining({
        triggerId: trigger.id,
        cause: "lock",
        reason: "rescued: worker me restarted",
      }),
    ]);
  },
);

dbTest(
  "after a rescue the old claim is dead even when the same worker claims the trigger again with the same attempt number",
  async ({ db }) => {
    await clearQueue(db);
    const { project, trigger } = await dueProject(db);
    const first = (await claimAs(db, "w")).claimed[0]!;
    await expireLeases(db, project.id);
    await rescueLostRuns(db, byLease);
    const second = (await claimAs(db, "w")).claimed[0]!;
    expect(second.attempt).toBe(first.attempt);
    const lease = (claim: typeof first) =>
      extendLeases(db, {
        workerId: "w",
        claims: [
          {
            triggerId: trigger.id,
            attempt: claim.attempt,
            executionId: claim.executionId,
          },
        ],
        leaseSeconds: 30,
      });
    expect(await lease(first)).toEqual(new Set());
    expect(await lease(second)).toEqual(new Set([trigger.id]));
  },
);

dbTest(
  "a forbid skip caused by a run that is then rescued says so; rescued runs wake the executors",
  async ({ db, dbHandle }) => {
    await clearQueue(db);
    const { project, trigger } = await dueProject(db);
    await claimAs(db, "dead");
    const [skipped] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 500),
      status: "skipped",
      last_error: `concurrency policy forbid: another run of project ${project.id} is running`,
      skipped_for_trigger_id: trigger.id,
    });
    const listener = await dbHandle.pool.connect();
    const notified: string[] = [];
    listener.on("notification", (m) => notified.push(m.channel));
    await listener.query("LISTEN vigil_triggers");
    try {
      await expireLeases(db, project.id);
      await rescueLostRuns(db, byLease);
      await new Promise((r) => setTimeout(r, 200));
      expect(notified).toContain("vigil_triggers");
    } finally {
      await listener.query("UNLISTEN *");
      listener.release();
    }
    expect((await triggerRow(db, skipped!.id)).last_error).toBe(
      `concurrency policy forbid: another run of project ${project.id} is running; that run was then lost (worker dead stopped renewing its lease (frozen, partitioned or dead)) and rescued`,
    );
  },
);
