import {
  ApplyProjectResponseSchema,
  CreatedProjectResponseSchema,
  DeletedResponseSchema,
  ProjectDetailResponseSchema,
  ProjectInputSchema,
  ProjectListQuerySchema,
  ProjectListResponseSchema,
  ProjectPatchSchema,
  ProjectSchema,
} from "@vigil/contracts";
import {
  applyProject,
  createProject,
  deleteProject,
  getProjectRunSummary,
  isUniqueViolation,
  listProjectRules,
  listProjectSchedules,
  listProjectOverviews,
  listProjects,
  updateProject,
} from "@vigil/db";

import { inTransaction } from "../audit/in-transaction.js";
import { replyJson } from "../audit/spec.js";
import { projectState } from "../audit/targets.js";
import type { ApiDeps } from "../deps.js";
import { AppError, notFound } from "../http/app-error.js";
import { decodeCursor, encodeCursor, keysetPage } from "../http/cursor.js";
import { canSeeProject } from "../http/project-access.js";
import { withNextRuns } from "../next-runs.js";
import { checkProjectInput } from "../project-input.js";
import { successRate } from "./monitoring.js";
import { ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

/** The project page's success rate is over this many latest executions (cost independent of history). */
const RECENT_EXECUTIONS = 100;

/** Projects as a whole: list, read, create (with schedules and rules), apply, change, delete. */
export function projectRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/projects",
      tag: "projects",
      access: "read",
      summary:
        "Projects in id order, with keyset pagination; `include=overview` adds each one's latest execution, next run and open discrepancies by severity",
      query: ProjectListQuerySchema,
      responses: {
        200: {
          description: "A page of projects",
          schema: ProjectListResponseSchema,
        },
      },
      handler: async ({ query, principal }) => {
        const rows = await listProjects(deps.readDb, {
          limit: query.limit + 1,
          ...(principal?.projects != null && { ids: principal.projects }),
          ...(query.cursor !== undefined && {
            afterId: decodeCursor("p", query.cursor),
          }),
          ...(query.is_active !== undefined && {
            isActive: query.is_active === "true",
          }),
        });
        const page = keysetPage(rows, query.limit, (last) =>
          encodeCursor("p", last.id),
        );
        if (query.include !== "overview") {
          return { json: page };
        }
        const overviews = new Map(
          (
            await listProjectOverviews(
              deps.readDb,
              page.items.map((p) => p.id),
            )
          ).map((o) => [o.project_id, o]),
        );
        return {
          json: {
            ...page,
            items: page.items.map((p) => {
              const o = overviews.get(p.id);
              return {
                ...p,
                overview: {
                  last_execution: o?.last_execution ?? null,
                  next_run: o?.next_fire_at ?? null,
                  open_discrepancies: o?.open_discrepancies ?? {
                    critical: 0,
                    high: 0,
                    medium: 0,
                    low: 0,
                    info: 0,
                  },
                },
              };
            }),
          },
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/projects",
      tag: "projects",
      access: "write",
      summary:
        "Creates a project with its settings, schedules and rules in one transaction",
      bodyKind: "json",
      body: ProjectInputSchema,
      responses: {
        201: { description: "Created", schema: CreatedProjectResponseSchema },
      },
      audit: {
        action: "project.create",
        target: ({ body }) => `project:${body.id}`,
        scope: ({ body }) => body.id,
        after: ({ db, body }) => projectState(db, body.id),
      },
      handler: async ({ body, db, principal }) => {
        if (!canSeeProject(principal, body.id)) {
          throw new AppError(
            "forbidden",
            `this token is limited to the projects ${principal?.projects?.join(", ")}; it cannot create project "${body.id}"`,
            { projects: principal?.projects },
          );
        }
        const input = checkProjectInput(body);
        try {
          const created = await inTransaction(db, (trx) =>
            createProject(trx, input),
          );
          return {
            status: 201,
            json: {
              ...created.project,
              schedules: created.schedules,
              rules: created.rules,
            },
          };
        } catch (err) {
          if (isUniqueViolation(err)) {
            throw new AppError(
              "conflict",
              `project "${body.id}" already exists; use PUT /projects/${body.id} to replace it`,
              null,
              { cause: err },
            );
          }
          throw err;
        }
      },
    }),
    defineRoute({
      method: "get",
      path: "/projects/:id",
      tag: "projects",
      access: "read",
      summary:
        "A project with its schedules (and their next runs), rules, last execution and the success rate of its latest 100 executions",
      params: ProjectParamsSchema,
      responses: {
        200: {
          description: "The project",
          schema: ProjectDetailResponseSchema,
        },
      },
      handler: async ({ params }) => {
        const project = await requireProject(deps.readDb, params.id);
        const [schedules, rules, summary] = await Promise.all([
          listProjectSchedules(deps.readDb, params.id),
          listProjectRules(deps.readDb, params.id),
          getProjectRunSummary(deps.readDb, params.id, {
            recent: RECENT_EXECUTIONS,
          }),
        ]);
        const now = new Date();
        const total = Object.values(summary.counts).reduce((a, b) => a + b, 0);
        return {
          json: {
            ...project,
            schedules: schedules.map((s) => withNextRuns(s, now)),
            rules: rules.map(
              ({ code: _c, logic: _l, explanation: _e, ...r }) => r,
            ),
            last_execution: summary.last_execution,
            next_run: summary.next_fire_at,
            executions: {
              of_last: RECENT_EXECUTIONS,
              total,
              ...summary.counts,
              success_rate: successRate(summary.counts.success, total),
            },
          },
        };
      },
    }),
    defineRoute({
      method: "put",
      path: "/projects/:id",
      tag: "projects",
      access: "write",
      summary:
        "Makes the project exactly this (declarative apply): settings, schedules and rules, in one transaction",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: ProjectInputSchema,
      responses: {
        200: { description: "Replaced", schema: ApplyProjectResponseSchema },
        201: { description: "Created", schema: ApplyProjectResponseSchema },
      },
      audit: {
        action: (_ctx, reply) =>
          replyJson<{ created: boolean }>(reply).created
            ? "project.create"
            : "project.update",
        target: ({ params }) => `project:${params.id}`,
        scope: ({ params }) => params.id,
        before: ({ db, params }) => projectState(db, params.id),
        after: ({ db, params }) => projectState(db, params.id),
      },
      handler: async ({ params, body, db }) => {
        if (body.id !== params.id) {
          throw new AppError(
            "validation_failed",
            `invalid request body: id "${body.id}" does not match the path's "${params.id}"`,
            [{ path: "id", message: `must be "${params.id}"` }],
          );
        }
        const input = checkProjectInput(body);
        const result = await inTransaction(db, async (trx) => {
          const applied = await applyProject(trx, input);
          const project = await trx
            .selectFrom("projects")
            .selectAll()
            .where("id", "=", params.id)
            .executeTakeFirstOrThrow();
          return { ...applied, project };
        });
        return { status: result.created ? 201 : 200, json: result };
      },
    }),
    defineRoute({
      method: "patch",
      path: "/projects/:id",
      tag: "projects",
      access: "write",
      summary:
        "Changes a project's settings (name, description, is_active, config); bumps its version",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: ProjectPatchSchema,
      responses: { 200: { description: "Changed", schema: ProjectSchema } },
      audit: {
        action: "project.update",
        target: ({ params }) => `project:${params.id}`,
        scope: ({ params }) => params.id,
        before: ({ db, params }) => projectState(db, params.id),
        after: ({ db, params }) => projectState(db, params.id),
      },
      handler: async ({ params, body, db }) => {
        const project = await updateProject(db, params.id, {
          ...body,
          ...(body.config !== undefined && { config: body.config }),
        });
        if (project === undefined) {
          throw notFound(`project "${params.id}"`);
        }
        return { json: project };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/projects/:id",
      tag: "projects",
      access: "write",
      summary: "Deletes a project with its schedules, rules and history",
      params: ProjectParamsSchema,
      responses: {
        200: { description: "Deleted", schema: DeletedResponseSchema },
      },
      audit: {
        action: "project.delete",
        target: ({ params }) => `project:${params.id}`,
        scope: ({ params }) => params.id,
        before: ({ db, params }) => projectState(db, params.id),
      },
      handler: async ({ params, db }) => {
        if (!(await deleteProject(db, params.id))) {
          throw notFound(`project "${params.id}"`);
        }
        return { json: { deleted: true } };
      },
    }),
  ];
}
