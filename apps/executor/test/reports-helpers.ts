import { once } from "node:events";
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

import type { ProjectConfig } from "@vigil/contracts";
import type { Db, ExecutionRow } from "@vigil/db";
import { createLogger } from "@vigil/logger";

/** A quiet logger for tests (warnings and errors still show). */
export const testLogger = createLogger({
  level: "error",
  name: "reports-test",
});

export interface ReceivedRequest {
  /** Path and query the request was sent to. */
  path: string;
  idempotencyKey: string;
  signature: string | undefined;
  attempt: string | undefined;
  body: string;
  receivedAt: number;
}

export type Reply = (
  req: ReceivedRequest,
  res: ServerResponse,
) => void | Promise<void>;

export interface ReportReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Bodies accepted (2xx) the first time per idempotency key: what a deduplicating receiver keeps. */
  accepted: Map<string, string>;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on 127.0.0.1 that deduplicates by Idempotency-Key, as receivers
 * should. `reply` decides each answer (default 200); it may also never answer.
 */
export async function startReportReceiver(
  reply: Reply = (_r, res) => {
    res.end("ok");
  },
): Promise<ReportReceiver> {
  const requests: ReceivedRequest[] = [];
  const accepted = new Map<string, string>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: ReceivedRequest = {
        path: req.url ?? "",
        idempotencyKey: String(req.headers["idempotency-key"]),
        signature: req.headers["vigil-signature"] as string | undefined,
        attempt: req.headers["vigil-delivery-attempt"] as string | undefined,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt: Date.now(),
      };
      requests.push(r);
      res.on("finish", () => {
        if (
          res.statusCode >= 200 &&
          res.statusCode < 300 &&
          !accepted.has(r.idempotencyKey)
        ) {
          accepted.set(r.idempotencyKey, r.body);
        }
      });
      void reply(r, res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function projectConfig(
  overrides: Partial<ProjectConfig> = {},
): ProjectConfig {
  return {
    data_source: { type: "manual" },
    lookback: "PT1H",
    timeout_seconds: 600,
    memory_mb: 512,
    max_attempts: 1,
    max_concurrency: 1,
    max_findings_per_rule: 10_000,
    report: { mode: "always", url_env: "VIGIL_SECRET_TEST_REPORT_URL" },
    ...overrides,
  };
}

/** Inserts a finished execution row for a project. */
export async function insertExecution(
  db: Db,
  projectId: string,
  overrides: Partial<
    Pick<ExecutionRow, "status" | "findings_count" | "error_message">
  > = {},
): Promise<ExecutionRow> {
  const now = new Date();
  return db
    .insertInto("executions")
    .values({
      project_id: projectId,
      status: overrides.status ?? "success",
      scheduled_for: now,
      started_at: now,
      finished_at: now,
      duration_ms: 12,
      findings_count: overrides.findings_count ?? 0,
      error_message: overrides.error_message ?? null,
      window_start: new Date(now.getTime() - 3_600_000),
      window_end: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
