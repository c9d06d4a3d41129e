import {
  DeadLetterListResponseSchema,
  DeadLetterQuerySchema,
  ExecutionDeliveriesResponseSchema,
  ReportDeliverySchema,
  type ReportDelivery,
} from "@vigil/contracts";
import {
  getExecutionDetail,
  listDeadReports,
  listDeliveriesForExecution,
  requeueDeadReport,
  type OutboxRowWithAttempts,
} from "@vigil/db";
import { z } from "zod";

import { replyJson } from "../audit/spec.js";
import type { ApiDeps } from "../deps.js";
import { AppError, notFound } from "../http/app-error.js";
import { keysetPage } from "../http/cursor.js";
import { canSeeProject, projectFilter } from "../http/project-access.js";
import { ExecutionParamsSchema, NumericIdSchema } from "./params.js";
import { defineRoute, type RouteDef } from "./route.js";

const OutboxParamsSchema = z.object({ id: NumericIdSchema }).strict();

const iso = (d: Date | string | null): string | null =>
  d === null ? null : new Date(d).toISOString();

/** The documented shape: no payload (it can be large; receivers have it), no lease internals. */
function toDelivery(
  r: Omit<OutboxRowWithAttempts, "attempt_log"> & {
    attempt_log?: OutboxRowWithAttempts["attempt_log"];
  },
): ReportDelivery {
  return {
    id: r.id,
    project_id: r.project_id,
    execution_id: r.execution_id,
    kind: r.kind,
    idempotency_key: r.idempotency_key,
    target_env: r.target_env,
    channel: { name: r.channel_name, kind: r.channel_kind },
    status: r.status,
    attempts: r.attempts,
    max_attempts: r.max_attempts,
    next_attempt_at: new Date(r.next_attempt_at).toISOString(),
    last_status_code: r.last_status_code,
    last_error: r.last_error,
    delivered_at: iso(r.delivered_at),
    dead_at: iso(r.dead_at),
    created_at: new Date(r.created_at).toISOString(),
    attempt_log: (r.attempt_log ?? []).map((a) => ({
      attempt: a.attempt,
      worker_id: a.worker_id,
      started_at: new Date(a.started_at).toISOString(),
      latency_ms: a.latency_ms,
      status_code: a.status_code,
      error: a.error,
    })),
  };
}

const encodeDeadCursor = (id: number) =>
  Buffer.from(`d:${id}`, "utf8").toString("base64url");

function decodeDeadCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^d:[1-9]\d{0,14}$/.test(text)) {
    throw new AppError(
      "invalid_query",
      "invalid query string: cursor: not a cursor of this list",
      [{ path: "cursor", message: "not a cursor of this list" }],
    );
  }
  return Number(text.slice(2));
}

/** Report delivery operations: what was sent for an execution, dead letters, and re-queueing one. */
export function reportRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/executions/:id/deliveries",
      tag: "reports",
      access: "read",
      summary:
        "The report and alert of one execution, with every delivery attempt (status code, latency, error)",
      params: ExecutionParamsSchema,
      responses: {
        200: {
          description: "Deliveries, oldest first",
          schema: ExecutionDeliveriesResponseSchema,
        },
      },
      handler: async ({ params, principal }) => {
        const id = Number(params.id);
        const rows = await listDeliveriesForExecution(deps.readDb, id);
        // an execution without deliveries (mode, or nothing to say) is an empty list; an
        // unknown one, or one of a project the token does not see, is a 404
        const projectId =
          rows[0]?.project_id ??
          (await getExecutionDetail(deps.readDb, id, 1))?.execution.project_id;
        if (projectId === undefined || !canSeeProject(principal, projectId)) {
          throw notFound(`execution ${params.id}`);
        }
        return { json: { items: rows.map(toDelivery) } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/reports/dead",
      tag: "reports",
      access: "read",
      summary:
        "Dead-lettered reports and alerts (all attempts spent), newest first",
      query: DeadLetterQuerySchema,
      responses: {
        200: {
          description: "A page of dead letters",
          schema: DeadLetterListResponseSchema,
        },
      },
      handler: async ({ query, principal }) => {
        const rows = await listDeadReports(deps.readDb, {
          limit: query.limit + 1,
          ...projectFilter(principal, query.project_id),
          ...(query.cursor !== undefined && {
            beforeId: decodeDeadCursor(query.cursor),
          }),
        });
        const page = keysetPage(rows, query.limit, (last) =>
          encodeDeadCursor(last.id),
        );
        return { json: { ...page, items: page.items.map(toDelivery) } };
      },
    }),
    defineRoute({
      method: "post",
      path: "/reports/:id/requeue",
      tag: "reports",
      access: "admin",
      summary:
        "Re-queue a dead letter: a fresh attempt budget, due now, ahead of newer reports of its project",
      params: OutboxParamsSchema,
      responses: {
        200: {
          description: "The re-queued delivery",
          schema: ReportDeliverySchema,
        },
      },
      audit: {
        action: "reports.requeue",
        target: ({ params }) => `report:${params.id}`,
        // only a dead letter can be re-queued, so that is what it was
        before: ({ params }) =>
          Promise.resolve({ id: Number(params.id), status: "dead" }),
        after: (_ctx, reply) => replyJson(reply),
      },
      handler: async ({ params, db }) => {
        const result = await requeueDeadReport(db, Number(params.id));
        switch (result.kind) {
          case "requeued":
            return { json: toDelivery(result.row) };
          case "not_found":
            throw notFound(`report ${params.id}`);
          case "not_dead":
            throw new AppError(
              "conflict",
              `report ${params.id} is ${result.status}, not dead; only dead letters can be re-queued`,
              { status: result.status },
            );
          default: {
            const never: never = result;
            throw new Error(
              `unexpected requeue result ${JSON.stringify(never)}`,
            );
          }
        }
      },
    }),
  ];
}
