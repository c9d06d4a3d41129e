import {
  BackfillRequestSchema,
  BackfillResponseSchema,
  backfillWindowCount,
  isoDurationToMs,
  type BackfillResponse,
} from "@vigil/contracts";
import {
  cancelBackfill,
  cancelPendingBackfillTriggers,
  getBackfillProgress,
  insertBackfill,
  inTransaction,
  notifyBackfillCreated,
  type BackfillProgress,
  type Db,
} from "@vigil/db";

import type { ApiDeps } from "../deps.js";
import { replyJson } from "../audit/spec.js";
import { AppError, notFound } from "../http/app-error.js";
import type { Principal } from "../http/auth.js";
import { canSeeProject } from "../http/project-access.js";
import { ExecutionParamsSchema, ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

const BackfillParamsSchema = ExecutionParamsSchema;

/** The answer's shape of a backfill row with its counts. */
export function toBackfillResponse(p: BackfillProgress): BackfillResponse {
  return {
    id: p.id,
    project_id: p.project_id,
    from: p.range_start.toISOString(),
    to: p.range_end.toISOString(),
    step: p.step,
    concurrency: p.concurrency,
    status: p.status,
    total: p.total,
    created: p.created,
    existing: p.existing,
    remaining: p.total - p.next_window,
    pending: p.pending,
    running: p.running,
    succeeded: p.succeeded,
    failed: p.failed,
    skipped: p.skipped,
    cancelled: p.cancelled,
    requested_by: p.requested_by,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
    finished_at: p.finished_at?.toISOString() ?? null,
  };
}

/** A backfill the caller may see; another project's is as absent as a missing one. */
async function requireBackfill(
  db: Db,
  principal: Principal | null,
  id: string,
): Promise<BackfillProgress> {
  const progress = await getBackfillProgress(db, Number(id));
  if (
    progress === undefined ||
    !canSeeProject(principal, progress.project_id)
  ) {
    throw notFound(`backfill ${id}`);
  }
  return progress;
}

/** Backfills: a range of windows run once each, a few at a time, by the trigger-creator. */
export function backfillRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "post",
      path: "/projects/:id/backfill",
      tag: "projects",
      access: "write",
      summary:
        "Runs the project once for each window of a past range (one `backfill` trigger per window, at most `concurrency` unfinished at a time); a window an earlier backfill already covers is not run again",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: BackfillRequestSchema,
      responses: {
        201: {
          description: "Started; the trigger-creator makes its triggers",
          schema: BackfillResponseSchema,
        },
      },
      audit: {
        action: "backfill.create",
        target: (_ctx, reply) =>
          `backfill:${replyJson<{ id: number }>(reply).id}`,
        scope: ({ params }) => params.id,
        after: (_ctx, reply) => replyJson(reply),
      },
      handler: async ({ params, body, caller, db }) => {
        await requireProject(db, params.id);
        const from = new Date(body.from);
        const to = new Date(body.to);
        const stepMs = isoDurationToMs(body.step) ?? 0;
        const backfill = await inTransaction(db, async (trx) => {
          const row = await insertBackfill(trx, {
            projectId: params.id,
            rangeStart: from,
            rangeEnd: to,
            step: body.step,
            stepMs,
            concurrency: body.concurrency,
            total: backfillWindowCount(from.getTime(), to.getTime(), stepMs),
            requestedBy: `api:${caller ?? "anonymous"}`,
          });
          await notifyBackfillCreated(trx);
          return getBackfillProgress(trx, row.id);
        });
        if (backfill === undefined) {
          throw new Error("a backfill just created could not be read back");
        }
        return { status: 201, json: toBackfillResponse(backfill) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/backfills/:id",
      tag: "projects",
      access: "read",
      summary:
        "A backfill's progress: its windows by status (pending, running, succeeded, failed, skipped, cancelled), those not reached yet, and whether it is running, done or cancelled",
      params: BackfillParamsSchema,
      responses: {
        200: { description: "The backfill", schema: BackfillResponseSchema },
      },
      handler: async ({ params, principal }) => ({
        json: toBackfillResponse(
          await requireBackfill(deps.readDb, principal, params.id),
        ),
      }),
    }),
    defineRoute({
      method: "post",
      path: "/backfills/:id/cancel",
      tag: "projects",
      access: "write",
      summary:
        "Cancels a backfill: no further trigger is made, its not-yet-started triggers are cancelled, running ones finish; cancelling a cancelled one changes nothing",
      params: BackfillParamsSchema,
      responses: {
        200: { description: "Cancelled", schema: BackfillResponseSchema },
      },
      audit: {
        action: "backfill.cancel",
        target: ({ params }) => `backfill:${params.id}`,
        before: async ({ params, principal, db }) =>
          toBackfillResponse(await requireBackfill(db, principal, params.id)),
        after: (_ctx, reply) => replyJson(reply),
      },
      handler: async ({ params, principal, db }) => {
        const id = Number(params.id);
        await requireBackfill(db, principal, params.id);
        const status = await inTransaction(db, async (trx) => {
          const now = await cancelBackfill(trx, id);
          if (now === "cancelled") {
            await cancelPendingBackfillTriggers(trx, id);
          }
          return now;
        });
        if (status === "done") {
          throw new AppError(
            "conflict",
            `backfill ${params.id} is done: every window has run`,
          );
        }
        return {
          json: toBackfillResponse(
            await requireBackfill(db, principal, params.id),
          ),
        };
      },
    }),
  ];
}
