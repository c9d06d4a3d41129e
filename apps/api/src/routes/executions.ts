import {
  ExecutionChangesQuerySchema,
  ExecutionChangesResponseSchema,
  ExecutionDetailQuerySchema,
  ExecutionDetailResponseSchema,
  ExecutionListQuerySchema,
  ExecutionListResponseSchema,
  ReplayResponseSchema,
  FailureListQuerySchema,
  FailureListResponseSchema,
  RunListQuerySchema,
  RunListResponseSchema,
} from "@vigil/contracts";
import {
  describeExecutionInput,
  getExecutionDetail,
  listExecutionChanges,
  listProjectExecutions,
  listProjectRuns,
  requestReplay,
  type Db,
  type ExecutionInputState,
  listRecentFailures,
  type ExecutionStatus,
  type TriggerStatus,
} from "@vigil/db";

import type { ApiDeps } from "../deps.js";
import { replyJson } from "../audit/spec.js";
import { AppError, notFound } from "../http/app-error.js";
import type { Principal } from "../http/auth.js";
import { canSeeProject, projectFilter } from "../http/project-access.js";
import { decodeIdCursor, encodeCursor, keysetPage } from "../http/cursor.js";
import { ExecutionParamsSchema, ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { queuedTriggerJson } from "./queued-trigger.js";
import { defineRoute, type RouteDef } from "./route.js";

/** The API shape of an execution's input state. */
function inputJson(state: ExecutionInputState) {
  return state.kept
    ? {
        kept: true as const,
        row_count: state.rowCount,
        bytes: state.bytes,
        raw_bytes: state.rawBytes,
        window_start: state.window.start,
        window_end: state.window.end,
      }
    : { kept: false as const, reason: state.reason, message: state.message };
}

/** An execution's input state, when the caller may see the execution; else its 404. */
async function requireExecutionInput(
  db: Db,
  principal: Principal | null,
  id: string,
): Promise<ExecutionInputState> {
  const detail = await getExecutionDetail(db, Number(id), 0);
  if (
    detail === undefined ||
    !canSeeProject(principal, detail.execution.project_id)
  ) {
    throw notFound(`execution ${id}`);
  }
  const state = await describeExecutionInput(db, Number(id));
  if (state === undefined) {
    throw notFound(`execution ${id}`);
  }
  return state;
}

/** Execution history: executions, runs, one execution with its findings, replays. */
export function executionRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/failures",
      tag: "executions",
      access: "read",
      summary:
        "The latest failed, timed-out and lost executions across projects (newest first, with their error), within the last `hours`; the latest `limit`, no further pages",
      query: FailureListQuerySchema,
      responses: {
        200: {
          description: "Recent failures",
          schema: FailureListResponseSchema,
        },
      },
      handler: async ({ query, principal }) => {
        const items = await listRecentFailures(deps.readDb, {
          since: new Date(Date.now() - query.hours * 3_600_000),
          statuses: query.status.split(",") as ExecutionStatus[],
          limit: query.limit,
          ...projectFilter(principal, query.project_id),
        });
        return { json: { items } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/projects/:id/executions",
      tag: "executions",
      access: "read",
      summary:
        "A project's executions, newest first; filter by status and scheduled time; pages stay stable while rows are added",
      params: ProjectParamsSchema,
      query: ExecutionListQuerySchema,
      responses: {
        200: {
          description: "A page of executions",
          schema: ExecutionListResponseSchema,
        },
      },
      handler: async ({ params, query }) => {
        const beforeId =
          query.cursor === undefined ? undefined : decodeIdCursor(query.cursor);
        const rows = await listProjectExecutions(deps.readDb, {
          projectId: params.id,
          limit: query.limit + 1,
          ...(beforeId !== undefined && { beforeId }),
          ...(query.status !== undefined && {
            statuses: query.status.split(",") as ExecutionStatus[],
          }),
          ...(query.from !== undefined && { from: new Date(query.from) }),
          ...(query.to !== undefined && { to: new Date(query.to) }),
        });
        // An empty first page of an unknown project is a 404, not an empty list.
        if (rows.length === 0 && beforeId === undefined) {
          await requireProject(deps.readDb, params.id);
        }
        return {
          json: keysetPage(rows, query.limit, (last) =>
            encodeCursor("e", last.id),
          ),
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/projects/:id/runs",
      tag: "executions",
      access: "read",
      summary:
        "A project's runs (its triggers), newest first, with their final state and reason: runs that never started (skipped by a policy or a deadline, missed, cancelled) next to those that did",
      params: ProjectParamsSchema,
      query: RunListQuerySchema,
      responses: {
        200: { description: "A page of runs", schema: RunListResponseSchema },
      },
      handler: async ({ params, query }) => {
        const beforeId =
          query.cursor === undefined
            ? undefined
            : decodeIdCursor(query.cursor, "r");
        const rows = await listProjectRuns(deps.readDb, {
          projectId: params.id,
          limit: query.limit + 1,
          ...(beforeId !== undefined && { beforeId }),
          ...(query.status !== undefined && {
            statuses: query.status.split(",") as TriggerStatus[],
          }),
        });
        if (rows.length === 0 && beforeId === undefined) {
          await requireProject(deps.readDb, params.id);
        }
        return {
          json: keysetPage(rows, query.limit, (last) =>
            encodeCursor("r", last.id),
          ),
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/executions/:id/changes",
      tag: "executions",
      access: "read",
      summary:
        "What one execution did to its project's discrepancies: opened, reopened, escalated, resolved, expired (a finding without a change was seen again)",
      params: ExecutionParamsSchema,
      query: ExecutionChangesQuerySchema,
      responses: {
        200: {
          description:
            "A page of the execution's discrepancy changes, oldest first",
          schema: ExecutionChangesResponseSchema,
        },
      },
      handler: async ({ params, query, principal }) => {
        const detail = await getExecutionDetail(
          deps.readDb,
          Number(params.id),
          0,
        );
        if (
          detail === undefined ||
          !canSeeProject(principal, detail.execution.project_id)
        ) {
          throw notFound(`execution ${params.id}`);
        }
        const rows = await listExecutionChanges(deps.readDb, {
          projectId: detail.execution.project_id,
          executionId: detail.execution.id,
          afterId:
            query.cursor === undefined ? 0 : decodeIdCursor(query.cursor, "c"),
          limit: query.limit + 1,
        });
        const page = keysetPage(rows, query.limit, (last) =>
          encodeCursor("c", last.id),
        );
        return {
          json: {
            ...page,
            items: page.items.map((r) => ({
              ...r,
              at: r.at.toISOString(),
            })),
          },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/executions/:id",
      tag: "executions",
      access: "read",
      summary:
        "One execution: timing, exit code, output tails, rule results and findings",
      params: ExecutionParamsSchema,
      query: ExecutionDetailQuerySchema,
      responses: {
        200: {
          description: "The execution",
          schema: ExecutionDetailResponseSchema,
        },
      },
      handler: async ({ params, query, principal }) => {
        const detail = await getExecutionDetail(
          deps.readDb,
          Number(params.id),
          query.findings_limit,
        );
        if (
          detail === undefined ||
          !canSeeProject(principal, detail.execution.project_id)
        ) {
          throw notFound(`execution ${params.id}`);
        }
        const findings = detail.findings.map(
          ({ execution_id: _e, project_id: _p, ...f }) => f,
        );
        const input = await describeExecutionInput(
          deps.readDb,
          detail.execution.id,
        );
        return {
          json: {
            ...detail.execution,
            replay_of: detail.replay_of,
            input: inputJson(
              input ?? {
                projectId: detail.execution.project_id,
                kept: false,
                reason: "not_recorded",
                message: `execution ${params.id} has no stored input`,
              },
            ),
            findings,
            findings_has_more: detail.findings_has_more,
          },
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/executions/:id/replay",
      tag: "executions",
      access: "write",
      summary:
        "Runs an execution again on its stored input (rows and window) with the project's current rules: a new `replay` trigger, run by any executor; 409 when its input was not kept or was pruned",
      params: ExecutionParamsSchema,
      responses: {
        202: { description: "Queued", schema: ReplayResponseSchema },
      },
      audit: {
        action: "execution.replay",
        target: ({ params }) => `execution:${params.id}`,
        after: (_ctx, reply) => ({ trigger: replyJson(reply) }),
      },
      handler: async ({ params, caller, principal, db }) => {
        const state = await requireExecutionInput(db, principal, params.id);
        const trigger = state.kept
          ? await requestReplay(db, {
              executionId: Number(params.id),
              requestedBy: `api:${caller ?? "anonymous"}`,
            })
          : undefined;
        if (trigger === undefined) {
          // not kept, or pruned between the check and the insert: say which, as it is now
          const now = state.kept
            ? await requireExecutionInput(db, principal, params.id)
            : state;
          const reason = now.kept ? null : now.reason;
          throw new AppError(
            "conflict",
            now.kept
              ? `execution ${params.id} cannot be replayed: its project no longer exists`
              : now.message,
            { reason },
          );
        }
        return {
          status: 202,
          json: { ...queuedTriggerJson(trigger), replay_of: trigger.replay_of },
        };
      },
    }),
  ];
}
