import {
  DeletedResponseSchema,
  SchedulePatchSchema,
  ScheduleInputSchema,
  ScheduleWithNextRunsSchema,
} from "@vigil/contracts";
import {
  createSchedule,
  deleteSchedule,
  getProjectSchedule,
  isForeignKeyViolation,
  listProjectSchedules,
  updateSchedule,
} from "@vigil/db";
import { z } from "zod";

import { replyJson } from "../audit/spec.js";
import { scheduleState } from "../audit/targets.js";
import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/app-error.js";
import { withNextRuns } from "../next-runs.js";
import { assertNoIssues, scheduleIssues } from "../write-checks.js";
import { ProjectParamsSchema, ScheduleParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

/** A project's schedules; cron and timezone are checked on every write. */
export function scheduleRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/projects/:id/schedules",
      tag: "schedules",
      access: "read",
      summary: "A project's schedules with their next runs",
      params: ProjectParamsSchema,
      responses: {
        200: {
          description: "Schedules",
          schema: z.array(ScheduleWithNextRunsSchema),
        },
      },
      handler: async ({ params }) => {
        await requireProject(deps.readDb, params.id);
        const now = new Date();
        return {
          json: (await listProjectSchedules(deps.readDb, params.id)).map((s) =>
            withNextRuns(s, now),
          ),
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/projects/:id/schedules",
      tag: "schedules",
      access: "write",
      summary:
        "Adds a schedule (cron and IANA timezone validated as the trigger-creator does)",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: ScheduleInputSchema,
      responses: {
        201: { description: "Created", schema: ScheduleWithNextRunsSchema },
      },
      audit: {
        action: "schedule.create",
        target: (_ctx, reply) =>
          `schedule:${replyJson<{ id: number }>(reply).id}`,
        scope: ({ params }) => params.id,
        after: ({ db, params }, reply) =>
          scheduleState(db, params.id, replyJson<{ id: number }>(reply).id),
      },
      handler: async ({ params, body, db }) => {
        assertNoIssues(scheduleIssues(body, ""), []);
        await requireProject(db, params.id);
        try {
          return {
            status: 201,
            json: withNextRuns(
              await createSchedule(db, params.id, body),
              new Date(),
            ),
          };
        } catch (err) {
          throw isForeignKeyViolation(err)
            ? notFound(`project "${params.id}"`)
            : err;
        }
      },
    }),
    defineRoute({
      method: "get",
      path: "/projects/:id/schedules/:scheduleId",
      tag: "schedules",
      access: "read",
      summary: "One schedule with its next runs",
      params: ScheduleParamsSchema,
      responses: {
        200: {
          description: "The schedule",
          schema: ScheduleWithNextRunsSchema,
        },
      },
      handler: async ({ params }) => {
        const s = await getProjectSchedule(
          deps.readDb,
          params.id,
          Number(params.scheduleId),
        );
        if (s === undefined) {
          throw notFound(
            `schedule ${params.scheduleId} of project "${params.id}"`,
          );
        }
        return { json: withNextRuns(s, new Date()) };
      },
    }),
    defineRoute({
      method: "patch",
      path: "/projects/:id/schedules/:scheduleId",
      tag: "schedules",
      access: "write",
      summary:
        "Changes a schedule; a new cron, timezone or policy bumps its version",
      params: ScheduleParamsSchema,
      bodyKind: "json",
      body: SchedulePatchSchema,
      responses: {
        200: { description: "Changed", schema: ScheduleWithNextRunsSchema },
      },
      audit: {
        action: "schedule.update",
        target: ({ params }) => `schedule:${params.scheduleId}`,
        scope: ({ params }) => params.id,
        before: ({ db, params }) =>
          scheduleState(db, params.id, Number(params.scheduleId)),
        after: ({ db, params }) =>
          scheduleState(db, params.id, Number(params.scheduleId)),
      },
      handler: async ({ params, body, db }) => {
        const id = Number(params.scheduleId);
        const current = await getProjectSchedule(db, params.id, id);
        if (current === undefined) {
          throw notFound(
            `schedule ${params.scheduleId} of project "${params.id}"`,
          );
        }
        if (body.cron_expression !== undefined || body.timezone !== undefined) {
          const merged = {
            cron_expression: body.cron_expression ?? current.cron_expression,
            timezone: body.timezone ?? current.timezone,
          };
          assertNoIssues(scheduleIssues(merged, ""), []);
        }
        const updated = await updateSchedule(db, params.id, id, body);
        if (updated === undefined) {
          throw notFound(
            `schedule ${params.scheduleId} of project "${params.id}"`,
          );
        }
        return { json: withNextRuns(updated, new Date()) };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/projects/:id/schedules/:scheduleId",
      tag: "schedules",
      access: "write",
      summary:
        "Deletes a schedule (its past triggers stay, without a schedule)",
      params: ScheduleParamsSchema,
      responses: {
        200: { description: "Deleted", schema: DeletedResponseSchema },
      },
      audit: {
        action: "schedule.delete",
        target: ({ params }) => `schedule:${params.scheduleId}`,
        scope: ({ params }) => params.id,
        before: ({ db, params }) =>
          scheduleState(db, params.id, Number(params.scheduleId)),
      },
      handler: async ({ params, db }) => {
        if (!(await deleteSchedule(db, params.id, Number(params.scheduleId)))) {
          throw notFound(
            `schedule ${params.scheduleId} of project "${params.id}"`,
          );
        }
        return { json: { deleted: true } };
      },
    }),
  ];
}
