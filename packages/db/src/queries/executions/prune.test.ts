import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import type { ExecutionStatus } from "../../tables/executions.js";
import { dbTest, insertProject } from "../../testing/index.js";
import { pruneProjectHistory } from "./prune-project.js";

/** Inserts executions oldest first (ascending ids), `daysAgo` each, with one finding per row. */
async function insertExecutions(
  db: Db,
  projectId: string,
  rows: { daysAgo: number; status?: ExecutionStatus }[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const r of rows) {
    const createdAt = sql<Date>`now() - make_interval(days => ${r.daysAgo})`;
    const e = await db
      .insertInto("executions")
      .values({
        project_id: projectId,
        status: r.status ?? "success",
        scheduled_for: createdAt,
        created_at: createdAt,
        findings_count: 1,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("findings")
      .values({
        execution_id: e.id,
        project_id: projectId,
        rule_id: "r",
        severity: "low",
        fingerprint: `f${e.id}`,
        finding_key: "k",
        message: "m",
      })
      .execute();
    ids.push(e.id);
  }
  return ids;
}

async function remainingIds(db: Db, projectId: string): Promise<number[]> {
  const rows = await db
    .selectFrom("executions")
    .select("id")
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

const fresh = (n: number, status?: ExecutionStatus) =>
  Array.from({ length: n }, () => ({
    daysAgo: 0,
    ...(status ? { status } : {}),
  }));

dbTest(
  "keeps the newest keepLast executions of a project and deletes the rest with their findings",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, fresh(10));
    const result = await pruneProjectHistory(db, {
      projectId: p.id,
      keepLast: 3,
      batchSize: 2,
    });
    expect(result).toMatchObject({ executions: 7, findings: 7 });
    expect(await remainingIds(db, p.id)).toEqual(ids.slice(7));
    const findings = await db
      .selectFrom("findings")
      .select("execution_id")
      .where("project_id", "=", p.id)
      .execute();
    expect(findings.map((f) => f.execution_id).sort()).toEqual(
      ids.slice(7).sort(),
    );
  },
);

dbTest(
  "drops executions past the age limit but always keeps the latest finished one",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, [
      { daysAgo: 50 },
      { daysAgo: 40 },
      { daysAgo: 35 },
      { daysAgo: 45, status: "running" },
    ]);
    await pruneProjectHistory(db, {
      projectId: p.id,
      keepLast: 100,
      maxAgeDays: 30,
    });
    // 35 days old, but the newest finished: kept; the running one is never touched
    expect(await remainingIds(db, p.id)).toEqual([ids[2], ids[3]]);
  },
);

dbTest(
  "keeps failed and timed-out executions until their own, longer age limit",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, [
      { daysAgo: 80, status: "failed" },
      { daysAgo: 60, status: "timeout" },
      { daysAgo: 60 },
      { daysAgo: 20, status: "failed" },
      ...fresh(3),
    ]);
    await pruneProjectHistory(db, {
      projectId: p.id,
      keepLast: 2,
      maxAgeDays: 30,
      failedMaxAgeDays: 70,
    });
    // the 80-day failure is past 70 days; the other failures stay although beyond keepLast
    expect(await remainingIds(db, p.id)).toEqual([
      ids[1],
      ids[3],
      ids[5],
      ids[6],
    ]);
  },
);

dbTest(
  "never touches pending or running executions, however old",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, [
      { daysAgo: 90, status: "pending" },
      { daysAgo: 90, status: "running" },
      { daysAgo: 90 },
      ...fresh(2),
    ]);
    await pruneProjectHistory(db, {
      projectId: p.id,
      keepLast: 1,
      maxAgeDays: 1,
    });
    expect(await remainingIds(db, p.id)).toEqual([ids[0], ids[1], ids[4]]);
  },
);

dbTest(
  "keeps the first and last evidence of open discrepancies, not of resolved ones",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, [...fresh(5)]);
    const discrepancy = (
      fingerprint: string,
      first: number,
      last: number,
      status: "open" | "resolved",
    ) => ({
      project_id: p.id,
      fingerprint,
      rule_id: "r",
      finding_key: fingerprint,
      severity: "low" as const,
      message: "m",
      status,
      first_seen_at: new Date(),
      last_seen_at: new Date(),
      resolved_at: status === "resolved" ? new Date() : null,
      first_execution_id: first,
      last_execution_id: last,
    });
    await db
      .insertInto("discrepancies")
      .values([
        discrepancy("open", ids[0] ?? 0, ids[1] ?? 0, "open"),
        discrepancy("gone", ids[2] ?? 0, ids[3] ?? 0, "resolved"),
      ])
      .execute();
    await pruneProjectHistory(db, { projectId: p.id, keepLast: 1 });
    expect(await remainingIds(db, p.id)).toEqual([ids[0], ids[1], ids[4]]);
  },
);

dbTest(
  "keeps an execution whose report is not delivered yet",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, fresh(3));
    const report = (executionId: number, status: "pending" | "delivered") => ({
      project_id: p.id,
      execution_id: executionId,
      idempotency_key: `k-${executionId}`,
      payload: "{}",
      status,
    });
    await db
      .insertInto("report_outbox")
      .values([
        report(ids[0] ?? 0, "pending"),
        report(ids[1] ?? 0, "delivered"),
      ])
      .execute();
    await pruneProjectHistory(db, { projectId: p.id, keepLast: 1 });
    expect(await remainingIds(db, p.id)).toEqual([ids[0], ids[2]]);
  },
);

dbTest(
  "prunes one project without touching another's executions",
  async ({ db }) => {
    const [a, b] = [await insertProject(db), await insertProject(db)];
    await insertExecutions(db, a.id, fresh(4));
    const kept = await insertExecutions(db, b.id, fresh(4));
    await pruneProjectHistory(db, { projectId: a.id, keepLast: 1 });
    expect((await remainingIds(db, a.id)).length).toBe(1);
    expect(await remainingIds(db, b.id)).toEqual(kept);
  },
);

dbTest(
  "partial and lost executions are pruned like any finished one, by the failed runs' age limit",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, [
      { daysAgo: 80, status: "partial" },
      { daysAgo: 80, status: "lost" },
      { daysAgo: 60, status: "partial" },
      { daysAgo: 60, status: "lost" },
      ...fresh(2),
    ]);
    await pruneProjectHistory(db, {
      projectId: p.id,
      keepLast: 1,
      maxAgeDays: 30,
      failedMaxAgeDays: 70,
    });
    expect(await remainingIds(db, p.id)).toEqual([ids[2], ids[3], ids[5]]);
  },
);
