import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import type { JsonObject } from "../../tables/common.js";
import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { finishRuns } from "../executions/finish-runs.js";
import { claimDueTriggers, type ClaimResult } from "./claim.js";

// What one claim locks: its batch of candidates (the first due triggers in the fair order) and
// their projects, never every project with due work, and the next candidates when the first
// ones were refused. A lock another transaction holds on a project outside the batch must not
// stop the claim: lock_timeout turns a claim that waits on it into an error instead of a hang.

const ago = (ms: number) => new Date(Date.now() - ms);
const project = (db: Db, config: JsonObject = {}) =>
  insertProject(db, {
    config: { data_source: { type: "manual" }, max_concurrency: 1, ...config },
  });

/** The tests share a database and a claim takes due triggers of every project: leave none behind. */
const clearQueue = (db: Db) =>
  sql`UPDATE triggers SET status = 'cancelled', finished_at = now(), lease_expires_at = NULL
      WHERE status IN ('pending', 'running')`.execute(db);

/**
 * Claims while another transaction holds FOR NO KEY UPDATE (what a claimer or a project write
 * takes) on `heldProjectId`. The claim runs with a 2 s lock_timeout, so waiting on that project
 * fails it.
 */
async function claimWhileHeld(
  db: Db,
  heldProjectId: string,
  limit: number,
): Promise<ClaimResult> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = db.transaction().execute(async (trx) => {
    await sql`SELECT id FROM projects WHERE id = ${heldProjectId} FOR NO KEY UPDATE`.execute(
      trx,
    );
    locked();
    await released;
  });
  await isLocked;
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL lock_timeout = '2s'`.execute(trx);
      return claimDueTriggers(trx, { workerId: "w", leaseSeconds: 30, limit });
    });
  } finally {
    release();
    await holder;
  }
}

dbTest(
  "with 300 projects due, a claim locks only its batch: a project held outside it does not block the claim",
  async ({ db }) => {
    await clearQueue(db);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const p = await project(db);
      ids.push(p.id);
      // the first project is due the longest, the last one the shortest
      await insertTriggers(db, p.id, 1, { fire_at: ago(600_000 - i * 1000) });
    }
    const r = await claimWhileHeld(db, ids[299]!, 2);
    expect(r.claimed.map((c) => c.projectId)).toEqual([ids[0], ids[1]]);
    const pending = await db
      .selectFrom("triggers")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("project_id", "in", ids)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(298);
  },
);

dbTest(
  "when the first candidates are refused by their projects' limits, the claim takes later due work, passing a project another transaction holds",
  async ({ db }) => {
    await clearQueue(db);
    // 30 projects at their limit (one run each of max_concurrency 1), each with an older due run:
    // three times the first batch of a claim of one
    const busy: string[] = [];
    for (let i = 0; i < 30; i++) {
      const p = await project(db);
      busy.push(p.id);
      await insertTriggers(db, p.id, 1, { fire_at: ago(900_000) });
    }
    const running = await claimDueTriggers(db, {
      workerId: "busy",
      leaseSeconds: 30,
      limit: 30,
    });
    expect(running.claimed).toHaveLength(30);
    for (const [i, id] of busy.entries()) {
      await insertTriggers(db, id, 1, { fire_at: ago(600_000 - i * 1000) });
    }
    const held = await project(db);
    await insertTriggers(db, held.id, 1, { fire_at: ago(500_000) });
    const free = await project(db);
    const [freeRun] = await insertTriggers(db, free.id, 1, {
      fire_at: ago(400_000),
    });

    const r = await claimWhileHeld(db, held.id, 1);
    expect(r.claimed.map((c) => c.triggerId)).toEqual([freeRun!.id]);
    expect(r.skipped).toEqual([]);
    // the limits held: still one run per busy project, their due runs pending
    const { rows } = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM triggers WHERE project_id = ANY(${busy}::text[])
      GROUP BY status ORDER BY status`.execute(db);
    expect(rows).toEqual([
      { status: "pending", n: 30 },
      { status: "running", n: 30 },
    ]);
    // once nothing holds it, the held project's run is next
    const next = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 1,
    });
    expect(next.claimed.map((c) => c.projectId)).toEqual([held.id]);
  },
);

dbTest(
  "a full team is looked past: a claim whose candidates all belong to it takes due work of another team",
  async ({ db }) => {
    await clearQueue(db);
    const team = `t-${Date.now().toString(36)}`;
    const teamMaxRunning = { [team]: 1 };
    const members: string[] = [];
    for (let i = 0; i < 25; i++) {
      const p = await project(db, { team });
      members.push(p.id);
      await insertTriggers(db, p.id, 1, { fire_at: ago(600_000 - i * 1000) });
    }
    const other = await project(db, { team: `${team}-other` });
    const [otherRun] = await insertTriggers(db, other.id, 1, {
      fire_at: ago(300_000),
    });
    const options = {
      leaseSeconds: 30,
      limit: 1,
      teamMaxRunning,
    };
    const first = await claimDueTriggers(db, { workerId: "a", ...options });
    expect(first.claimed.map((c) => c.projectId)).toEqual([members[0]]);
    const second = await claimDueTriggers(db, { workerId: "b", ...options });
    expect(second.claimed.map((c) => c.triggerId)).toEqual([otherRun!.id]);
    const third = await claimDueTriggers(db, { workerId: "c", ...options });
    expect(third.claimed).toEqual([]);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM triggers WHERE status = 'running' AND team = ${team}`.execute(
      db,
    );
    expect(rows[0]!.n).toBe(1);
  },
);

dbTest(
  "four claimers racing over 60 due projects in many rounds keep every project, team and global limit exactly, never deadlock, and keep the limits full",
  async ({ db }) => {
    await clearQueue(db);
    const team = `race-${Date.now().toString(36)}`;
    const teamIds: string[] = [];
    const otherIds: string[] = [];
    for (let i = 0; i < 60; i++) {
      const inTeam = i % 2 === 0;
      const p = await project(db, inTeam ? { team } : {});
      (inTeam ? teamIds : otherIds).push(p.id);
      await insertTriggers(db, p.id, 3, { fire_at: ago(600_000 - i * 1000) });
    }
    const all = [...teamIds, ...otherIds];
    const options = {
      leaseSeconds: 30,
      limit: 3,
      globalMaxRunning: 9,
      teamMaxRunning: { [team]: 3 },
    };
    const claimed: number[] = [];
    const peaks = { project: 0, team: 0, all: 0 };
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(
        ["w1", "w2", "w3", "w4"].map((workerId) =>
          claimDueTriggers(db, { workerId, ...options }).then((r) => ({
            workerId,
            r,
          })),
        ),
      );
      const { rows } = await sql<{
        project: number;
        team: number;
        all: number;
      }>`
        SELECT coalesce(max(n), 0)::int AS project,
               coalesce(sum(n) FILTER (WHERE project_id = ANY(${teamIds}::text[])), 0)::int AS team,
               coalesce(sum(n), 0)::int AS all
        FROM (SELECT project_id, count(*) AS n FROM triggers
              WHERE status = 'running' AND project_id = ANY(${all}::text[]) GROUP BY project_id) c`.execute(
        db,
      );
      peaks.project = Math.max(peaks.project, rows[0]!.project);
      peaks.team = Math.max(peaks.team, rows[0]!.team);
      peaks.all = Math.max(peaks.all, rows[0]!.all);
      // the global limit is full after every round while due work remains
      if (round < 10) {
        expect(rows[0]!.all).toBe(9);
      }
      for (const { workerId, r } of results) {
        claimed.push(...r.claimed.map((c) => c.triggerId));
        await finishRuns(
          db,
          workerId,
          r.claimed.map((c) => ({
            fence: { triggerId: c.triggerId, workerId, attempt: c.attempt },
            trigger: { kind: "finished", status: "succeeded" },
            lastError: null,
            execution: { executionId: c.executionId, status: "success" },
            evaluates: null,
            projectId: c.projectId,
            guardMd5: null,
          })),
        );
      }
    }
    expect(peaks).toEqual({ project: 1, team: 3, all: 9 });
    expect(new Set(claimed).size).toBe(claimed.length);
  },
);
