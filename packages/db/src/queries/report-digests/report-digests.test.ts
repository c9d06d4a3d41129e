import { describe, expect } from "vitest";

import type { Db } from "../../pool.js";
import type { ExecutionStatus } from "../../tables/executions.js";
import { dbTest as test, insertProject } from "../../testing/index.js";
import { advanceReportDigest } from "./advance.js";
import { lockReportDigest } from "./lock.js";
import { readDigestRange } from "./range.js";

async function insertExecutions(
  db: Db,
  projectId: string,
  statuses: ExecutionStatus[],
): Promise<number[]> {
  const rows = await db
    .insertInto("executions")
    .values(
      statuses.map((status) => ({
        project_id: projectId,
        status,
        scheduled_for: new Date(),
        findings_count: 2,
      })),
    )
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

describe("report digests", () => {
  test("a digest covers the finished executions up to the oldest one still running, whose transitions are not committed yet", async ({
    db,
  }) => {
    const p = await insertProject(db);
    const ids = await insertExecutions(db, p.id, [
      "success",
      "failed",
      "running",
      "success",
    ]);
    const range = await db
      .transaction()
      .execute((trx) =>
        readDigestRange(trx, { projectId: p.id, afterExecutionId: 0 }),
      );
    expect(range).toEqual({
      firstExecutionId: ids[0],
      lastExecutionId: ids[1],
      executions: 2,
      findings: 4,
    });
    const none = await db.transaction().execute((trx) =>
      readDigestRange(trx, {
        projectId: p.id,
        afterExecutionId: ids[1]!,
      }),
    );
    expect(none).toBeUndefined();
  });

  test("a digest row starts after the project's last per-execution report (also when turned back on), is due at once, and not again within its interval", async ({
    db,
  }) => {
    const p = await insertProject(db);
    const [reported] = await insertExecutions(db, p.id, ["success"]);
    await db
      .insertInto("report_outbox")
      .values({
        project_id: p.id,
        execution_id: reported!,
        kind: "report",
        idempotency_key: `report:${reported}`,
        payload: "{}",
      })
      .execute();
    const first = await db.transaction().execute(async (trx) => {
      const state = await lockReportDigest(trx, {
        projectId: p.id,
        intervalSeconds: 3600,
      });
      await advanceReportDigest(trx, {
        projectId: p.id,
        lastExecutionId: reported!,
        sent: true,
      });
      return state;
    });
    expect(first).toMatchObject({
      last_execution_id: reported,
      last_sent_at: null,
      due: true,
    });
    const second = await db
      .transaction()
      .execute((trx) =>
        lockReportDigest(trx, { projectId: p.id, intervalSeconds: 3600 }),
      );
    expect(second).toMatchObject({
      last_execution_id: reported,
      sent: 1,
      due: false,
    });

    // digest off for a while, per-execution reports meanwhile, then on again: it starts after them
    const [later] = await insertExecutions(db, p.id, ["success"]);
    await db
      .insertInto("report_outbox")
      .values({
        project_id: p.id,
        execution_id: later!,
        kind: "report",
        idempotency_key: `report:${later}`,
        payload: "{}",
      })
      .execute();
    const again = await db
      .transaction()
      .execute((trx) =>
        lockReportDigest(trx, { projectId: p.id, intervalSeconds: 3600 }),
      );
    expect(again.last_execution_id).toBe(later);
  });
});
