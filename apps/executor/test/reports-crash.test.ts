import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { enqueueOutboxEntry } from "@vigil/db";
import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { createDeliveryLoop } from "../src/reports/delivery-loop.js";
import {
  insertExecution,
  startReportReceiver,
  testLogger,
} from "./reports-helpers.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, "..");

describe("delivery after a crash", () => {
  dbTest(
    "a delivery process killed with SIGKILL between the POST and the status update is delivered again with the same key after its lease",
    async ({ db, testDatabase }) => {
      let firstRequestSeen: () => void = () => undefined;
      const firstRequest = new Promise<void>(
        (resolve) => (firstRequestSeen = resolve),
      );
      const receiver = await startReportReceiver((req, res) => {
        if (receiver.requests.length === 1) {
          // the receiver took the report (and would act on it), but the sender dies before the answer
          receiver.accepted.set(req.idempotencyKey, req.body);
          firstRequestSeen();
          return;
        }
        res.writeHead(200).end("ok");
      });
      const project = await insertProject(db);
      const execution = await insertExecution(db, project.id);
      const key = `report:${execution.id}`;
      const outboxId = await db.transaction().execute((trx) =>
        enqueueOutboxEntry(trx, {
          projectId: project.id,
          executionId: execution.id,
          kind: "report",
          idempotencyKey: key,
          targetEnv: "VIGIL_SECRET_TEST_REPORT_URL",
          payload: { v: 1, hello: "world" },
          maxAttempts: 5,
        }),
      );

      const child = spawn(
        process.execPath,
        [
          "--conditions=@vigil/source",
          "--import",
          "tsx",
          "test/fixtures/delivery-process.ts",
        ],
        {
          cwd: appDir,
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: testDatabase.url,
            VIGIL_SECRET_TEST_REPORT_URL: receiver.url,
            WORKER_ID: "doomed",
            LEASE_SECONDS: "2",
          },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const exited = once(child, "exit");
      try {
        await firstRequest;
        child.kill("SIGKILL");
        await exited;
        const stuck = await db
          .selectFrom("report_outbox")
          .selectAll()
          .where("id", "=", outboxId ?? 0)
          .executeTakeFirstOrThrow();
        expect(stuck).toMatchObject({
          status: "delivering",
          claimed_by: "doomed",
          attempts: 1,
        });

        const loop = createDeliveryLoop({
          db,
          logger: testLogger,
          workerId: "survivor",
          env: { VIGIL_SECRET_TEST_REPORT_URL: receiver.url },
          settings: {
            reportUrl: undefined,
            signingSecret: undefined,
            allowPrivateNetworks: true,
            timeoutMs: 2000,
            pollIntervalMs: 200,
          },
        });
        await loop.start();
        try {
          const delivered = await waitFor(
            async () => {
              const row = await db
                .selectFrom("report_outbox")
                .selectAll()
                .where("id", "=", outboxId ?? 0)
                .executeTakeFirstOrThrow();
              return row.status === "delivered" ? row : null;
            },
            { timeoutMs: 15_000, message: "redelivery after the lease" },
          );
          expect(delivered).toMatchObject({
            claimed_by: "survivor",
            attempts: 2,
          });
        } finally {
          await loop.stop();
        }
        // at least once, with idempotency: two POSTs, one key, the same bytes; the receiver keeps one
        expect(receiver.requests.map((r) => r.idempotencyKey)).toEqual([
          key,
          key,
        ]);
        expect(receiver.requests[1]?.body).toBe(receiver.requests[0]?.body);
        expect(receiver.accepted.size).toBe(1);
        const attempts = await db
          .selectFrom("report_delivery_attempts")
          .selectAll()
          .where("outbox_id", "=", outboxId ?? 0)
          .execute();
        expect(
          attempts.map((a) => [a.attempt, a.worker_id, a.status_code]),
        ).toEqual([[2, "survivor", 200]]);
      } finally {
        child.kill("SIGKILL");
        await receiver.close();
      }
    },
  );
});
