import {
  ExecutionDetailQuerySchema,
  ExecutionDetailResponseSchema,
  ExecutionListQuerySchema,
  ExecutionListResponseSchema,
  FailureListQuerySchema,
  FailureListResponseSchema,
  RunListQuerySchema,
  RunListResponseSchema,
} from "@vigil/contracts";
import {
  getExecutionDetail,
  listProjectExecutions,
  listProjectRuns,
  listRecentFailures,
  type ExecutionStatus,
  type TriggerStatus,
} from "@vigil/db";

import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/app-error.js";
import { canSeeProject, projectFilter } from "../http/project-access.js";
import { decodeIdCursor, encodeCursor, keysetPage } from "../http/cursor.js";
import { ExecutionParamsSchema, ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

/** Execution history: executions, runs, one execution with its findings. */
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
        const items = await listRecentFailures(deps.db, {
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
        const rows = await listProjectExecutions(deps.db, {
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
          await requireProject(deps.db, params.id);
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
        const rows = await listProjectRuns(deps.db, {
          projectId: params.id,
          limit: query.limit + 1,
          ...(beforeId !== undefined && { beforeId }),
          ...(query.status !== undefined && {
            statuses: query.status.split(",") as TriggerStatus[],
          }),
        });
        if (rows.length === 0 && beforeId === undefined) {
          await requireProject(deps.db, params.id);
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
          deps.db,
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
        return {
          json: {
            ...detail.execution,
            findings,
            findings_truncated: detail.findings_truncated,
          },
        };
      },
    }),
  ];
}
