import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import type { JsonObject } from "../../tables/common.js";
import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { finishRuns, type FinishRunsItem } from "../executions/finish-runs.js";
import {
  claimDueTriggers,
  type ClaimedTrigger,
  type ClaimOptions,
} from "./claim.js";
import { rescueLostRuns } from "./rescue.js";

// Limits and claimers racing: the project's max_concurrency, TEAM_MAX_RUNNING and
// GLOBAL_MAX_RUNNING hold exactly however many claimers race, no trigger is claimed twice, and a
// worker that lost its claim writes nothing.

const ago = (ms: number) => new Date(Date.now() - ms);
const project = (db: Db, config: JsonObject = {}) =>
  insertProject(db, {
    config: {
      data_source: { type: "manual" },
      max_concurrency: 100,
      ...config,
    },
  });

/** The tests share a database and a claim takes due triggers of every project: leave none behind. */
const clearQueue = (db: Db) =>
  sql`UPDATE triggers SET status = 'cancelled', finished_at = now(), lease_expires_at = NULL
      WHERE status IN ('pending', 'running')`.execute(db);

const success = (c: ClaimedTrigger, workerId: string): FinishRunsItem => ({
  fence: { triggerId: c.triggerId, workerId, attempt: c.attempt },
  trigger: { kind: "finished", status: "succeeded" },
  lastError: null,
  execution: { executionId: c.executionId, status: "success" },
  evaluates: null,
  projectId: c.projectId,
  guardMd5: null,
});

const runningCount = async (db: Db, projectIds: string[]) => {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM triggers
    WHERE status = 'running' AND project_id = ANY(${projectIds}::text[])`.execute(
    db,
  );
  return rows[0]!.n;
};

/**
 * Four claimers on four connections claiming at once, round after round; after each round each
 * claimer finishes one of its runs, so the limit frees room and is hit again. Returns, per group
 * of projects, the most runs that were running at once (read after every round's claims), and
 * every trigger claimed.
 */
async function race(
  db: Db,
  groups: Record<string, string[]>,
  options: Omit<ClaimOptions, "workerId" | "leaseSeconds">,
  rounds: number,
): Promise<{ peaks: Record<string, number>; claimed: number[] }> {
  const peaks: Record<string, number> = {};
  const claimed: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(
      ["w1", "w2", "w3", "w4"].map((workerId) =>
        claimDueTriggers(db, { workerId, leaseSeconds: 30, ...options }).then(
          (r) => ({ workerId, r }),
        ),
      ),
    );
    for (const [name, ids] of Object.entries(groups)) {
      peaks[name] = Math.max(peaks[name] ?? 0, await runningCount(db, ids));
    }
    const finished: Promise<unknown>[] = [];
    for (const { workerId, r } of results) {
      claimed.push(...r.claimed.map((c) => c.triggerId));
      const first = r.claimed[0];
      if (first) {
        finished.push(finishRuns(db, workerId, [success(first, workerId)]));
      }
    }
    await Promise.all(finished);
  }
  return { peaks, claimed };
}

dbTest(
  "two workers claiming at once never get the same trigger",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db);
    await insertTriggers(db, p.id, 20, { fire_at: ago(60_000) });
    const [a, b] = await Promise.all([
      claimDueTriggers(db, { workerId: "a", leaseSeconds: 30, limit: 15 }),
      claimDueTriggers(db, { workerId: "b", leaseSeconds: 30, limit: 15 }),
    ]);
    const ids = [...a.claimed, ...b.claimed].map((t) => t.triggerId);
    expect(ids.length).toBe(20);
    expect(new Set(ids).size).toBe(20);
    const executions = await db
      .selectFrom("executions")
      .select(["trigger_id", "status", "worker_id"])
      .where("project_id", "=", p.id)
      .execute();
    expect(executions).toHaveLength(20);
    expect(executions.every((e) => e.status === "running")).toBe(true);
  },
);

dbTest(
  "the per-project limit holds across claimers racing for one project",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db, { max_concurrency: 3 });
    await insertTriggers(db, p.id, 12, { fire_at: ago(1000) });
    const results = await Promise.all(
      ["a", "b", "c", "d"].map((w) =>
        claimDueTriggers(db, { workerId: w, leaseSeconds: 30, limit: 5 }),
      ),
    );
    expect(results.flatMap((r) => r.claimed)).toHaveLength(3);
    const again = await claimDueTriggers(db, {
      workerId: "e",
      leaseSeconds: 30,
      limit: 5,
    });
    expect(again.claimed).toHaveLength(0);
  },
);

dbTest(
  "the project's limit counts this worker's own running triggers until their record lands",
  async ({ db }) => {
    await clearQueue(db);
    const p = await project(db, { max_concurrency: 2 });
    await insertTriggers(db, p.id, 5, { fire_at: ago(1000) });
    const claim = () =>
      claimDueTriggers(db, { workerId: "w", leaseSeconds: 30, limit: 10 });
    const first = await claim();
    expect(first.claimed).toHaveLength(2);
    expect((await claim()).claimed).toHaveLength(0);
    expect(
      (await finishRuns(db, "w", [success(first.claimed[0]!, "w")]))[0]
        ?.outcome,
    ).toBe("recorded");
    expect((await claim()).claimed).toHaveLength(1);
  },
);

dbTest(
  "a due trigger another transaction holds is skipped, not waited on",
  async ({ db }) => {
    await clearQueue(db);
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
  },
);

dbTest(
  "a team limit holds across four claimers racing over the team's projects, while another team and projects without a team run freely",
  async ({ db }) => {
    await clearQueue(db);
    const finance = await Promise.all(
      Array.from({ length: 6 }, () => project(db, { team: "finance" })),
    );
    const ops = await Promise.all(
      Array.from({ length: 3 }, () => project(db, { team: "ops" })),
    );
    const loner = await project(db);
    for (const p of [...finance, ...ops, loner]) {
      await insertTriggers(db, p.id, 30, { fire_at: ago(5000) });
    }
    const financeIds = finance.map((p) => p.id);
    const othersIds = [...ops.map((p) => p.id), loner.id];
    const { peaks, claimed } = await race(
      db,
      { finance: financeIds, others: othersIds },
      { limit: 4, teamMaxRunning: { finance: 4, ops: 50 } },
      15,
    );
    expect(peaks.finance).toBe(4);
    // meanwhile the others ran beyond finance's limit
    expect(peaks.others).toBeGreaterThan(4);
    expect(new Set(claimed).size).toBe(claimed.length);
    const team = await db
      .selectFrom("triggers")
      .select(["team"])
      .distinct()
      .where("status", "=", "running")
      .where("project_id", "in", financeIds)
      .execute();
    expect(team).toEqual([{ team: "finance" }]);
  },
);

dbTest(
  "the global limit holds across four claimers racing over many projects",
  async ({ db }) => {
    await clearQueue(db);
    const projects = await Promise.all(
      Array.from({ length: 12 }, () => project(db)),
    );
    for (const p of projects) {
      await insertTriggers(db, p.id, 20, { fire_at: ago(5000) });
    }
    const ids = projects.map((p) => p.id);
    const { peaks, claimed } = await race(
      db,
      { all: ids },
      { limit: 5, globalMaxRunning: 7 },
      12,
    );
    expect(peaks.all).toBe(7);
    expect(new Set(claimed).size).toBe(claimed.length);
    // every running trigger in the database counts, whichever project or claimer it belongs to
    expect(await runningCount(db, ids)).toBeLessThanOrEqual(7);
  },
);

dbTest(
  "the global limit counts runs claimed without it, and a replace is not credited the run it cancels",
  async ({ db }) => {
    await clearQueue(db);
    const a = await project(db, { max_concurrency: 5 });
    await insertTriggers(db, a.id, 3, { fire_at: ago(5000) });
    expect(
      (
        await claimDueTriggers(db, {
          workerId: "w",
          leaseSeconds: 30,
          limit: 3,
        })
      ).claimed,
    ).toHaveLength(3);
    const b = await project(db, { max_concurrency: 1 });
    const [first] = await insertTriggers(db, b.id, 1, {
      fire_at: ago(3000),
      concurrency_policy: "replace",
    });
    const limited = {
      workerId: "v",
      leaseSeconds: 30,
      limit: 5,
      globalMaxRunning: 4,
    };
    expect(
      (await claimDueTriggers(db, limited)).claimed.map((c) => c.triggerId),
    ).toEqual([first!.id]);
    // at the limit: the replace waits, the run it would cancel goes on
    const [second] = await insertTriggers(db, b.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "replace",
    });
    expect(await claimDueTriggers(db, limited)).toEqual({
      claimed: [],
      skipped: [],
      replaced: [],
    });
    const row = await db
      .selectFrom("triggers")
      .select("status")
      .where("id", "=", second!.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
  },
);

dbTest(
  "claimers that share no project still serialize on a limited team and on the global limit, and only then",
  async ({ db }) => {
    // Claimers usually serialize on the project locks of the same due projects already; the team
    // and global locks make the limits exact when their due projects do not overlap. Holding a
    // lock stands in for a claimer busy with other projects of the same scope.
    await clearQueue(db);
    const p = await project(db, { team: "finance" });
    await insertTriggers(db, p.id, 3, { fire_at: ago(1000) });
    const claimWhileHeld = async (
      lock: [number, string | null],
      options: Partial<ClaimOptions>,
    ) => {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${lock[0]}::int, ${
          lock[1] === null ? sql`0` : sql`hashtext(${lock[1]})`
        })`.execute(trx);
        locked();
        await released;
      });
      await isLocked;
      const claim = claimDueTriggers(db, {
        workerId: "w",
        leaseSeconds: 30,
        limit: 1,
        ...options,
      });
      const early = await Promise.race([
        claim.then(() => "claimed"),
        new Promise((r) => setTimeout(() => r("waiting"), 300)),
      ]);
      release();
      await holder;
      return { early, claimed: (await claim).claimed.length };
    };
    expect(
      await claimWhileHeld([73020, "finance"], {
        teamMaxRunning: { finance: 2 },
      }),
    ).toEqual({ early: "waiting", claimed: 1 });
    expect(
      await claimWhileHeld([73021, null], { globalMaxRunning: 10 }),
    ).toEqual({ early: "waiting", claimed: 1 });
    // no limit on the team: nothing to wait for
    expect(
      await claimWhileHeld([73020, "finance"], { teamMaxRunning: { ops: 1 } }),
    ).toEqual({ early: "claimed", claimed: 1 });
  },
);

dbTest(
  "a lost lease stays fenced: the rescued trigger is claimed again, and the first worker's record writes nothing",
  async ({ db }) => {
    await clearQueue(db);
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
