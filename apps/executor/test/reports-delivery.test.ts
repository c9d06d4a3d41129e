import { emptyDiscrepancyChanges, ReportSchema } from "@vigil/contracts";
import {
  enqueueOutboxEntry,
  listDeadReports,
  requeueDeadReport,
  type Db,
  type JsonValue,
} from "@vigil/db";
import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { afterEach, describe, expect } from "vitest";

import {
  createDeliveryLoop,
  type DeliveryLoop,
  type DeliveryLoopDeps,
} from "../src/reports/delivery-loop.js";
import { verifyReportSignature } from "@vigil/channels";
import {
  insertExecution,
  startReportReceiver,
  testLogger,
  type ReportReceiver,
} from "./reports-helpers.js";

const secret = "test-signing-secret-0123456789";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function startLoop(
  db: Db,
  receiver: ReportReceiver | null,
  overrides: Partial<DeliveryLoopDeps["settings"]> = {},
  workerId = "w1",
): DeliveryLoop {
  const loop = createDeliveryLoop({
    db,
    logger: testLogger,
    workerId,
    env: { VIGIL_SECRET_TEST_REPORT_URL: receiver?.url },
    settings: {
      reportUrl: undefined,
      signingSecret: secret,
      allowPrivateNetworks: true,
      timeoutMs: 300,
      backoffBaseMs: 50,
      backoffMaxMs: 200,
      pollIntervalMs: 200,
      concurrency: 4,
      ...overrides,
    },
    random: () => 0.5,
  });
  void loop.start();
  cleanups.push(() => loop.stop({ force: true }));
  return loop;
}

/** Enqueues one report per execution, as record-outcome would, and returns the outbox ids in order. */
async function enqueueReports(
  db: Db,
  projectId: string,
  count: number,
  { maxAttempts = 10, targetEnv = "VIGIL_SECRET_TEST_REPORT_URL" } = {},
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const execution = await insertExecution(db, projectId);
    const payload: JsonValue = {
      v: 1,
      project: { id: projectId },
      execution: { id: execution.id },
      seq: i,
    };
    const id = await db.transaction().execute((trx) =>
      enqueueOutboxEntry(trx, {
        projectId,
        executionId: execution.id,
        kind: "report",
        idempotencyKey: `report:${execution.id}`,
        targetEnv,
        payload,
        maxAttempts,
      }),
    );
    ids.push(id ?? -1);
  }
  return ids;
}

const statusOf = async (db: Db, ids: number[]) =>
  db
    .selectFrom("report_outbox")
    .select([
      "id",
      "status",
      "attempts",
      "last_error",
      "dead_at",
      "delivered_at",
    ])
    .where("id", "in", ids)
    .orderBy("id")
    .execute();

describe("report delivery", () => {
  dbTest(
    "a receiver that fails, throttles and times out still gets every report once, signed, in order per project",
    async ({ db }) => {
      let n = 0;
      const receiver = await startReportReceiver((_req, res) => {
        n += 1;
        if (n <= 3) {
          res.writeHead(500).end("down");
        } else if (n === 4) {
          res.writeHead(429, { "retry-after": "1" }).end("slow down");
        } else if (n === 5) {
          return; // never answers: the sender's timeout ends the attempt
        } else {
          res.writeHead(200).end("ok");
        }
      });
      cleanups.push(() => receiver.close());
      const projects = await Promise.all(
        [1, 2, 3].map(() => insertProject(db)),
      );
      const ids: number[] = [];
      for (const p of projects) {
        ids.push(...(await enqueueReports(db, p.id, 4)));
      }
      // 1 s timeout: long enough that only the hung request times out, even on a loaded machine
      startLoop(db, receiver, { timeoutMs: 1000 });
      await waitFor(
        async () =>
          (await statusOf(db, ids)).every((r) => r.status === "delivered"),
        { timeoutMs: 20_000, message: "all reports delivered" },
      );

      expect(receiver.accepted.size).toBe(12);
      for (const req of receiver.requests.filter(
        (r) => r.signature !== undefined,
      )) {
        expect(
          verifyReportSignature({
            header: req.signature ?? "",
            body: req.body,
            secret,
            nowSeconds: Math.floor(Date.now() / 1000),
          }).ok,
        ).toBe(true);
      }
      expect(receiver.requests.every((r) => r.signature !== undefined)).toBe(
        true,
      );
      // in order per project: each project's requests never go back to an older execution
      for (const p of projects) {
        const seq = receiver.requests
          .map(
            (r) =>
              JSON.parse(r.body) as { project: { id: string }; seq: number },
          )
          .filter((b) => b.project.id === p.id)
          .map((b) => b.seq);
        expect(seq).toEqual([...seq].sort((a, b) => a - b));
        expect(new Set(seq)).toEqual(new Set([0, 1, 2, 3]));
      }
      const attempts = await db
        .selectFrom("report_delivery_attempts")
        .selectAll()
        .where("outbox_id", "in", ids)
        .orderBy("id")
        .execute();
      expect(attempts.filter((a) => a.status_code === 500)).toHaveLength(3);
      expect(
        attempts.filter(
          (a) => a.status_code === null && /timeout/.test(a.error ?? ""),
        ).length,
      ).toBeGreaterThanOrEqual(1);
      const throttled = attempts.find((a) => a.status_code === 429);
      const after429 = attempts.find(
        (a) =>
          a.outbox_id === throttled?.outbox_id &&
          a.attempt === (throttled?.attempt ?? 0) + 1,
      );
      // Retry-After: 1 outweighs the 50 ms backoff
      expect(
        new Date(after429?.started_at ?? 0).getTime() -
          new Date(throttled?.started_at ?? 0).getTime(),
      ).toBeGreaterThanOrEqual(950);
      expect(attempts.filter((a) => a.status_code === 200)).toHaveLength(12);
    },
  );

  dbTest(
    "a report is dead-lettered after max_attempts, stops blocking its project, and is delivered after a requeue",
    async ({ db }) => {
      let broken = true;
      const receiver = await startReportReceiver((req, res) => {
        const body = JSON.parse(req.body) as { seq: number };
        res.writeHead(broken && body.seq === 0 ? 503 : 200).end();
      });
      cleanups.push(() => receiver.close());
      const project = await insertProject(db);
      const [first, second] = (await enqueueReports(db, project.id, 2, {
        maxAttempts: 3,
      })) as [number, number];
      startLoop(db, receiver);
      await waitFor(
        async () => (await statusOf(db, [second]))[0]?.status === "delivered",
        { message: "second report delivered" },
      );
      const [dead] = await statusOf(db, [first]);
      expect(dead).toMatchObject({
        status: "dead",
        attempts: 3,
        last_error: "receiver answered HTTP 503",
      });
      // the second report waited for the first to be settled
      expect(new Date(dead?.dead_at ?? 0).getTime()).toBeLessThanOrEqual(
        new Date(
          (await statusOf(db, [second]))[0]?.delivered_at ?? 0,
        ).getTime(),
      );
      const deadList = await listDeadReports(db, {
        projectId: project.id,
        limit: 10,
      });
      expect(deadList.map((d) => [d.id, d.attempt_log.length])).toEqual([
        [first, 3],
      ]);

      broken = false;
      expect((await requeueDeadReport(db, first)).kind).toBe("requeued");
      expect((await requeueDeadReport(db, first)).kind).toBe("not_dead");
      await waitFor(
        async () => (await statusOf(db, [first]))[0]?.status === "delivered",
        { message: "requeued report delivered" },
      );
      expect(receiver.accepted.size).toBe(2);
    },
  );

  dbTest(
    "a target env var missing from the executor's environment is a visible, dead-lettered error",
    async ({ db }) => {
      const project = await insertProject(db);
      const [id] = await enqueueReports(db, project.id, 1, {
        maxAttempts: 2,
        targetEnv: "NOT_SET_ANYWHERE_URL",
      });
      startLoop(db, null);
      await waitFor(
        async () => (await statusOf(db, [id ?? 0]))[0]?.status === "dead",
        { message: "dead letter" },
      );
      expect((await statusOf(db, [id ?? 0]))[0]?.last_error).toContain(
        "the secret NOT_SET_ANYWHERE_URL is not available on the executor",
      );
    },
  );

  dbTest(
    "a loopback receiver is refused at send time unless private networks are allowed",
    async ({ db }) => {
      const receiver = await startReportReceiver();
      cleanups.push(() => receiver.close());
      const project = await insertProject(db);
      const [id] = await enqueueReports(db, project.id, 1, { maxAttempts: 1 });
      startLoop(db, receiver, { allowPrivateNetworks: false });
      await waitFor(
        async () => (await statusOf(db, [id ?? 0]))[0]?.status === "dead",
        { message: "dead letter" },
      );
      expect((await statusOf(db, [id ?? 0]))[0]?.last_error).toMatch(
        /^refused: .*private networks are not allowed/,
      );
      expect(receiver.requests).toHaveLength(0);
    },
  );

  dbTest(
    "two delivery loops share the work and deliver each report once",
    async ({ db }) => {
      const receiver = await startReportReceiver();
      cleanups.push(() => receiver.close());
      const projects = await Promise.all(
        [1, 2, 3, 4, 5].map(() => insertProject(db)),
      );
      const ids = (
        await Promise.all(projects.map((p) => enqueueReports(db, p.id, 4)))
      ).flat();
      startLoop(db, receiver, {}, "w1");
      startLoop(db, receiver, {}, "w2");
      await waitFor(
        async () =>
          (await statusOf(db, ids)).every((r) => r.status === "delivered"),
        { timeoutMs: 20_000 },
      );
      expect(receiver.requests).toHaveLength(20);
      expect(receiver.accepted.size).toBe(20);
      for (const [key, body] of receiver.accepted) {
        expect(
          (JSON.parse(body) as { execution: { id: number } }).execution.id,
        ).toBe(Number(key.split(":")[1]));
      }
    },
  );
});

describe("the report body", () => {
  dbTest(
    "is sent exactly as stored, so the schema parses what receivers get",
    async ({ db }) => {
      const receiver = await startReportReceiver();
      cleanups.push(() => receiver.close());
      const project = await insertProject(db);
      const execution = await insertExecution(db, project.id);
      const { buildReport } = await import("@vigil/contracts");
      const report = buildReport({
        idempotencyKey: `report:${execution.id}`,
        project: { id: project.id, name: project.name },
        execution: {
          id: execution.id,
          status: "success",
          attempt: 1,
          scheduledFor: new Date(),
          startedAt: null,
          finishedAt: null,
          durationMs: null,
          windowStart: null,
          windowEnd: null,
          findingsCount: 0,
          findingsTruncated: 0,
          errorMessage: null,
          ruleResults: [],
        },
        changes: emptyDiscrepancyChanges(),
        publicUrl: null,
        generatedAt: new Date(),
      });
      await db.transaction().execute((trx) =>
        enqueueOutboxEntry(trx, {
          projectId: project.id,
          executionId: execution.id,
          kind: "report",
          idempotencyKey: report.id,
          targetEnv: "VIGIL_SECRET_TEST_REPORT_URL",
          payload: report,
          maxAttempts: 3,
        }),
      );
      startLoop(db, receiver);
      await waitFor(() => receiver.accepted.get(report.id));
      expect(
        ReportSchema.parse(
          JSON.parse(receiver.accepted.get(report.id) ?? "{}"),
        ),
      ).toEqual(report);
    },
  );
});
