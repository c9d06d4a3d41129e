import {
  DeadLetterListResponseSchema,
  ExecutionDeliveriesResponseSchema,
  ReportDeliverySchema,
} from "@vigil/contracts";
import { enqueueOutboxEntry, finishDeliveryAttempt, type Db } from "@vigil/db";
import { insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest } from "../../test/helpers.js";

/** An execution with one report whose every attempt failed, as the delivery loop leaves it. */
async function insertDeadReport(
  db: Db,
  projectId: string,
): Promise<{ executionId: number; outboxId: number }> {
  const now = new Date();
  const execution = await db
    .insertInto("executions")
    .values({
      project_id: projectId,
      status: "success",
      scheduled_for: now,
      started_at: now,
      finished_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const outboxId = (await db.transaction().execute((trx) =>
    enqueueOutboxEntry(trx, {
      projectId,
      executionId: execution.id,
      kind: "report",
      idempotencyKey: `report:${execution.id}`,
      targetEnv: null,
      payload: { v: 1 },
      maxAttempts: 1,
    }),
  )) as number;
  await db
    .updateTable("report_outbox")
    .set({ status: "delivering", claimed_by: "w", attempts: 1 })
    .where("id", "=", outboxId)
    .execute();
  await finishDeliveryAttempt(
    db,
    { outboxId, workerId: "w" },
    {
      attempt: 1,
      startedAt: now,
      latencyMs: 12,
      statusCode: 500,
      error: "receiver answered HTTP 500",
    },
    { kind: "failed", delayMs: 0 },
  );
  return { executionId: execution.id, outboxId };
}

const errorOf = (json: unknown) =>
  (json as { error: { code: string; message: string; details: unknown } })
    .error;

describe("report delivery routes", () => {
  apiTest(
    "GET /executions/{id}/deliveries lists the report with its attempt log; an unknown execution is a 404",
    async ({ api, db }) => {
      const project = await insertProject(db);
      const { executionId, outboxId } = await insertDeadReport(db, project.id);
      const res = await api.call(
        "GET",
        `/executions/${executionId}/deliveries`,
        { token: null },
      );
      expect(res.status).toBe(200);
      const { items } = ExecutionDeliveriesResponseSchema.parse(res.json);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        id: outboxId,
        kind: "report",
        status: "dead",
        attempts: 1,
        last_status_code: 500,
        attempt_log: [
          {
            attempt: 1,
            worker_id: "w",
            status_code: 500,
            latency_ms: 12,
            error: "receiver answered HTTP 500",
          },
        ],
      });
      expect((res.json as { items: object[] }).items[0]).not.toHaveProperty(
        "payload",
      );
      const missing = await api.call(
        "GET",
        "/executions/999999999/deliveries",
        { token: null },
      );
      expect(missing.status).toBe(404);
      expect(errorOf(missing.json).code).toBe("not_found");
    },
  );

  apiTest(
    "GET /reports/dead pages through dead letters newest first, filtered by project",
    async ({ api, db }) => {
      const project = await insertProject(db);
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await insertDeadReport(db, project.id)).outboxId);
      }
      const first = await api.call(
        "GET",
        `/reports/dead?project_id=${project.id}&limit=2`,
        { token: null },
      );
      expect(first.status).toBe(200);
      const page1 = DeadLetterListResponseSchema.parse(first.json);
      expect(page1.items.map((d) => d.id)).toEqual([ids[2], ids[1]]);
      const second = await api.call(
        "GET",
        `/reports/dead?project_id=${project.id}&limit=2&cursor=${page1.next_cursor ?? ""}`,
        { token: null },
      );
      const page2 = DeadLetterListResponseSchema.parse(second.json);
      expect(page2.items.map((d) => d.id)).toEqual([ids[0]]);
      expect(page2.next_cursor).toBeNull();
      const bad = await api.call("GET", "/reports/dead?limit=0", {
        token: null,
      });
      expect(bad.status).toBe(400);
      expect(errorOf(bad.json).code).toBe("invalid_query");
    },
  );

  apiTest(
    "POST /reports/{id}/requeue needs a token, re-queues a dead letter once, and refuses others",
    async ({ api, db }) => {
      const project = await insertProject(db);
      const { outboxId } = await insertDeadReport(db, project.id);
      const anonymous = await api.call("POST", `/reports/${outboxId}/requeue`, {
        token: null,
      });
      expect(anonymous.status).toBe(401);
      const requeued = await api.call("POST", `/reports/${outboxId}/requeue`);
      expect(requeued.status).toBe(200);
      expect(ReportDeliverySchema.parse(requeued.json)).toMatchObject({
        id: outboxId,
        status: "pending",
        attempts: 0,
        dead_at: null,
      });
      const again = await api.call("POST", `/reports/${outboxId}/requeue`);
      expect(again.status).toBe(409);
      expect(errorOf(again.json)).toMatchObject({
        code: "conflict",
        details: { status: "pending" },
      });
      expect(
        (await api.call("POST", "/reports/999999999/requeue")).status,
      ).toBe(404);
    },
  );

  apiTest("the routes are in the OpenAPI document", async ({ api }) => {
    const doc = await api.call("GET", "/openapi.json", { token: null });
    expect(Object.keys((doc.json as { paths: object }).paths)).toEqual(
      expect.arrayContaining([
        "/executions/{id}/deliveries",
        "/reports/dead",
        "/reports/{id}/requeue",
      ]),
    );
  });
});
