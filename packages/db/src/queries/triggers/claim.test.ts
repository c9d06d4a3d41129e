import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { claimDueTriggers } from "./claim.js";

const ago = (ms: number) => new Date(Date.now() - ms);
const project = (
  db: Parameters<typeof insertProject>[0],
  maxConcurrency = 100,
) =>
  insertProject(db, {
    config: {
      data_source: { type: "manual" },
      max_concurrency: maxConcurrency,
    },
  });

dbTest(
  "two workers claiming at once never get the same trigger",
  async ({ db }) => {
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
  "future triggers and retries waiting for their backoff are not claimed",
  async ({ db }) => {
    const p = await project(db);
    await insertTriggers(db, p.id, 2, {
      fire_at: new Date(Date.now() + 60_000),
    });
    await insertTriggers(db, p.id, 1, {
      fire_at: ago(60_000),
      available_at: new Date(Date.now() + 60_000),
    });
    const r = await claimDueTriggers(db, {
      workerId: "a",
      leaseSeconds: 30,
      limit: 10,
    });
    expect(r.claimed).toHaveLength(0);
  },
);

dbTest(
  "the per-project limit holds across claimers racing for one project",
  async ({ db }) => {
    const p = await project(db, 3);
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
  "forbid skips a due trigger while another run of the project is running",
  async ({ db }) => {
    const p = await project(db, 5);
    await insertTriggers(db, p.id, 1, {
      fire_at: ago(2000),
      concurrency_policy: "forbid",
    });
    const first = await claimDueTriggers(db, {
      workerId: "a",
      leaseSeconds: 30,
      limit: 5,
    });
    expect(first.claimed).toHaveLength(1);
    const [late] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "forbid",
    });
    const second = await claimDueTriggers(db, {
      workerId: "b",
      leaseSeconds: 30,
      limit: 5,
    });
    expect(second.claimed).toHaveLength(0);
    expect(second.skipped).toEqual([
      expect.objectContaining({
        triggerId: late!.id,
        reason: expect.stringContaining("forbid"),
      }),
    ]);
  },
);

dbTest(
  "replace cancels the running trigger and its execution and runs the new one",
  async ({ db }) => {
    const p = await project(db, 1);
    const [old] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(2000),
      concurrency_policy: "replace",
    });
    await claimDueTriggers(db, { workerId: "a", leaseSeconds: 30, limit: 5 });
    const [next] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(1000),
      concurrency_policy: "replace",
    });
    const r = await claimDueTriggers(db, {
      workerId: "b",
      leaseSeconds: 30,
      limit: 5,
    });
    expect(r.claimed.map((c) => c.triggerId)).toEqual([next!.id]);
    expect(r.replaced).toEqual([
      { triggerId: old!.id, projectId: p.id, replacedBy: next!.id },
    ]);
    const oldRow = await db
      .selectFrom("triggers")
      .selectAll()
      .where("id", "=", old!.id)
      .executeTakeFirstOrThrow();
    expect(oldRow.status).toBe("cancelled");
    const oldExec = await db
      .selectFrom("executions")
      .selectAll()
      .where("trigger_id", "=", old!.id)
      .executeTakeFirstOrThrow();
    expect(oldExec.status).toBe("cancelled");
  },
);

dbTest(
  "allow runs overlapping triggers up to the project's limit and leaves the rest pending",
  async ({ db }) => {
    const p = await project(db, 2);
    await insertTriggers(db, p.id, 3, {
      fire_at: ago(1000),
      concurrency_policy: "allow",
    });
    const r = await claimDueTriggers(db, {
      workerId: "a",
      leaseSeconds: 30,
      limit: 10,
    });
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
  "a trigger past its starting deadline is skipped with the reason instead of claimed",
  async ({ db }) => {
    const p = await project(db);
    const [late] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(120_000),
      starting_deadline_seconds: 60,
    });
    const r = await claimDueTriggers(db, {
      workerId: "a",
      leaseSeconds: 30,
      limit: 10,
    });
    expect(r.claimed).toHaveLength(0);
    expect(r.skipped).toEqual([
      expect.objectContaining({
        triggerId: late!.id,
        reason: expect.stringContaining("deadline"),
      }),
    ]);
  },
);

dbTest(
  "the claim takes max_attempts from the project's config",
  async ({ db }) => {
    const p = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_attempts: 3 },
    });
    await insertTriggers(db, p.id, 1, { fire_at: ago(1000) });
    const r = await claimDueTriggers(db, {
      workerId: "a",
      leaseSeconds: 30,
      limit: 1,
    });
    expect(r.claimed[0]).toMatchObject({ attempt: 1, maxAttempts: 3 });
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM executions WHERE project_id = ${p.id}`.execute(
      db,
    );
    expect(rows[0]?.n).toBe(1);
  },
);
