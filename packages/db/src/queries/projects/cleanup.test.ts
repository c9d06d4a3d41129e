import { describe, expect } from "vitest";

import { dbTest as test, insertProject } from "../../testing/index.js";
import { deleteFinishedHistory } from "./cleanup.js";

describe("deleteFinishedHistory", () => {
  test("deletes finished history of one project only, keeping pending work and executions an undelivered report needs", async ({
    db,
  }) => {
    const p = await insertProject(db);
    const other = await insertProject(db);
    const now = new Date();
    for (const projectId of [p.id, other.id]) {
      await db
        .insertInto("triggers")
        .values([
          {
            project_id: projectId,
            fire_at: now,
            available_at: now,
            source: "manual",
            status: "failed",
          },
          {
            project_id: projectId,
            fire_at: now,
            available_at: now,
            source: "manual",
          },
        ])
        .execute();
    }
    const [done, waiting, running] = await db
      .insertInto("executions")
      .values([
        { project_id: p.id, status: "success", scheduled_for: now },
        { project_id: p.id, status: "failed", scheduled_for: now },
        { project_id: p.id, status: "running", scheduled_for: now },
        // every finished status goes, partial and lost too
        { project_id: p.id, status: "partial", scheduled_for: now },
        { project_id: p.id, status: "lost", scheduled_for: now },
      ])
      .returning("id")
      .execute();
    await db
      .insertInto("report_outbox")
      .values([
        {
          project_id: p.id,
          execution_id: waiting!.id,
          idempotency_key: "k-pending",
          payload: "{}",
        },
        {
          project_id: p.id,
          execution_id: done!.id,
          idempotency_key: "k-done",
          payload: "{}",
          status: "delivered",
        },
      ])
      .execute();
    const counts = await db
      .transaction()
      .execute((trx) => deleteFinishedHistory(trx, p.id));
    expect(counts).toEqual({
      executions: 3,
      triggers: 1,
      reports: 1,
      discrepancies: 0,
    });
    const left = await db
      .selectFrom("executions")
      .select("id")
      .where("project_id", "=", p.id)
      .orderBy("id")
      .execute();
    expect(left.map((r) => r.id)).toEqual([waiting!.id, running!.id]);
    expect(
      await db
        .selectFrom("triggers")
        .select("id")
        .where("project_id", "=", other.id)
        .execute(),
    ).toHaveLength(2);
  });
});
