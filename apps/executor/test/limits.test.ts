import { sql } from "kysely";
import { afterEach, expect } from "vitest";

import type { Db } from "@vigil/db";
import { dbTest, insertProject, insertTriggers } from "@vigil/db/testing";

import { killStartedExecutors, startExecutor } from "./helpers.js";

afterEach(killStartedExecutors);

const RUNS_PER_PROJECT = 15;

/** Samples running triggers (overall and per team) every few ms until every trigger is done. */
async function samplePeaks(db: Db, projectIds: string[]) {
  const peaks = { total: 0, finance: 0, ops: 0 };
  for (;;) {
    const { rows } = await sql<{
      total: number;
      finance: number;
      ops: number;
      open: number;
    }>`
      SELECT count(*) FILTER (WHERE t.status = 'running')::int AS total,
             count(*) FILTER (WHERE t.status = 'running' AND p.team = 'finance')::int AS finance,
             count(*) FILTER (WHERE t.status = 'running' AND p.team = 'ops')::int AS ops,
             count(*) FILTER (WHERE t.status IN ('pending', 'running'))::int AS open
      FROM triggers t JOIN projects p ON p.id = t.project_id
      WHERE t.project_id = ANY(${projectIds}::text[])`.execute(db);
    const r = rows[0]!;
    peaks.total = Math.max(peaks.total, r.total);
    peaks.finance = Math.max(peaks.finance, r.finance);
    peaks.ops = Math.max(peaks.ops, r.ops);
    if (r.open === 0) {
      return peaks;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

dbTest(
  "four executor processes racing keep GLOBAL_MAX_RUNNING and each team's TEAM_MAX_RUNNING exactly, and every run succeeds once",
  async ({ db, testDatabase }) => {
    const teams = ["finance", "finance", "finance", "ops", "ops", null];
    const projects = [];
    for (const team of teams) {
      projects.push(
        await insertProject(db, {
          config: {
            data_source: { type: "manual" },
            max_concurrency: 10,
            ...(team ? { team } : {}),
          },
        }),
      );
    }
    const ids = projects.map((p) => p.id);
    const executors = Array.from({ length: 4 }, () =>
      startExecutor(testDatabase.url, {
        EXECUTOR_RUNNER: "noop",
        EXECUTOR_NOOP_DELAY_MS: "150",
        // 4 x 2 slots: more than the global limit, and no one executor can reach it alone
        EXECUTOR_CONCURRENCY: "2",
        GLOBAL_MAX_RUNNING: "7",
        TEAM_MAX_RUNNING: "finance=3,ops=2",
      }),
    );
    for (const id of ids) {
      await insertTriggers(db, id, RUNS_PER_PROJECT, {
        fire_at: new Date(Date.now() - 1000),
        concurrency_policy: "allow",
      });
    }
    const peaks = await samplePeaks(db, ids);
    // 8 slots could run at once: the limits are what holds them
    expect(peaks).toEqual({ total: 7, finance: 3, ops: 2 });
    const { rows } = await sql<{ trigger_id: string; n: number; ok: number }>`
      SELECT e.trigger_id, count(*)::int AS n,
             count(*) FILTER (WHERE e.status = 'success')::int AS ok
      FROM executions e WHERE e.project_id = ANY(${ids}::text[])
      GROUP BY e.trigger_id`.execute(db);
    expect(rows).toHaveLength(ids.length * RUNS_PER_PROJECT);
    expect(rows.every((r) => r.n === 1 && r.ok === 1)).toBe(true);
    expect(
      new Set(
        (
          await db
            .selectFrom("executions")
            .select("worker_id")
            .where("project_id", "in", ids)
            .execute()
        ).map((e) => e.worker_id),
      ).size,
    ).toBeGreaterThan(1);
    expect(executors.every((e) => e.child.exitCode === null)).toBe(true);
  },
  90_000,
);
