import { sql } from "kysely";
import { describe, expect } from "vitest";

import type { Db } from "../../pool.js";
import { insertProject } from "../../testing/builders.js";
import { dbTest } from "../../testing/db-test.js";
import { claimDueReports } from "./claim.js";
import { enqueueOutboxEntry } from "./enqueue.js";
import { finishDeliveryAttempt } from "./finish-attempt.js";

let seq = 0;
async function enqueue(
  db: Db,
  projectId: string,
  kind: "report" | "alert" = "report",
): Promise<number> {
  seq += 1;
  const id = await db.transaction().execute((trx) =>
    enqueueOutboxEntry(trx, {
      projectId,
      executionId: null,
      kind,
      idempotencyKey: `k-${process.pid}-${seq}`,
      targetEnv: null,
      payload: { seq },
      maxAttempts: 2,
    }),
  );
  return id ?? -1;
}

const record = {
  attempt: 1,
  startedAt: new Date(),
  latencyMs: 5,
  statusCode: 500,
  error: "HTTP 500",
};

describe("claiming outbox rows", () => {
  dbTest(
    "two claimers at once never take the same row, and each project's oldest row goes first",
    async ({ db }) => {
      const projects = await Promise.all(
        [1, 2, 3, 4].map(() => insertProject(db)),
      );
      const firsts: number[] = [];
      for (const p of projects) {
        firsts.push(await enqueue(db, p.id));
        await enqueue(db, p.id);
      }
      const [a, b] = await Promise.all([
        claimDueReports(db, { workerId: "a", leaseSeconds: 30, limit: 10 }),
        claimDueReports(db, { workerId: "b", leaseSeconds: 30, limit: 10 }),
      ]);
      const ids = [...(a ?? []), ...(b ?? [])]
        .map((r) => r.id)
        .sort((x, y) => x - y);
      expect(ids).toEqual(firsts);
      expect(
        await claimDueReports(db, {
          workerId: "c",
          leaseSeconds: 30,
          limit: 10,
        }),
      ).toEqual([]);
    },
  );

  dbTest(
    "alerts do not wait behind a project's failing report",
    async ({ db }) => {
      const project = await insertProject(db);
      const report = await enqueue(db, project.id, "report");
      const alert = await enqueue(db, project.id, "alert");
      const claimed = await claimDueReports(db, {
        workerId: "a",
        leaseSeconds: 30,
        limit: 10,
      });
      expect(claimed.map((r) => r.id).sort((x, y) => x - y)).toEqual([
        report,
        alert,
      ]);
    },
  );

  dbTest(
    "a failed attempt goes back in line after its delay and is dead after max_attempts; writes need the lease",
    async ({ db }) => {
      const project = await insertProject(db);
      const id = await enqueue(db, project.id);
      const [first] = await claimDueReports(db, {
        workerId: "a",
        leaseSeconds: 30,
        limit: 1,
      });
      expect(first).toMatchObject({
        id,
        status: "delivering",
        attempts: 1,
        claimed_by: "a",
      });
      expect(
        await finishDeliveryAttempt(
          db,
          { outboxId: id, workerId: "intruder" },
          record,
          { kind: "delivered" },
        ),
      ).toEqual({ owned: false, status: null });
      expect(
        await finishDeliveryAttempt(
          db,
          { outboxId: id, workerId: "a" },
          record,
          { kind: "failed", delayMs: 60_000 },
        ),
      ).toEqual({ owned: true, status: "pending" });
      expect(
        await claimDueReports(db, {
          workerId: "a",
          leaseSeconds: 30,
          limit: 1,
        }),
      ).toEqual([]);
      await db
        .updateTable("report_outbox")
        .set({ next_attempt_at: sql<Date>`now()` })
        .where("id", "=", id)
        .execute();
      await claimDueReports(db, { workerId: "b", leaseSeconds: 30, limit: 1 });
      expect(
        await finishDeliveryAttempt(
          db,
          { outboxId: id, workerId: "b" },
          { ...record, attempt: 2 },
          { kind: "failed", delayMs: 0 },
        ),
      ).toEqual({ owned: true, status: "dead" });
      const attempts = await db
        .selectFrom("report_delivery_attempts")
        .select(["attempt", "worker_id"])
        .where("outbox_id", "=", id)
        .orderBy("id")
        .execute();
      expect(attempts).toEqual([
        { attempt: 1, worker_id: "intruder" },
        { attempt: 1, worker_id: "a" },
        { attempt: 2, worker_id: "b" },
      ]);
    },
  );

  dbTest(
    "a row whose lease expired mid-delivery is claimable again, counting the attempt",
    async ({ db }) => {
      const project = await insertProject(db);
      const id = await enqueue(db, project.id);
      await claimDueReports(db, {
        workerId: "dead-worker",
        leaseSeconds: 30,
        limit: 1,
      });
      expect(
        await claimDueReports(db, {
          workerId: "b",
          leaseSeconds: 30,
          limit: 1,
        }),
      ).toEqual([]);
      await db
        .updateTable("report_outbox")
        .set({ lease_expires_at: sql<Date>`now() - interval '1 second'` })
        .where("id", "=", id)
        .execute();
      const [again] = await claimDueReports(db, {
        workerId: "b",
        leaseSeconds: 30,
        limit: 1,
      });
      expect(again).toMatchObject({ id, claimed_by: "b", attempts: 2 });
    },
  );
});
