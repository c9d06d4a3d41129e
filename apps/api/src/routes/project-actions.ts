import {
  CleanupResponseSchema,
  DatasetJsonUploadSchema,
  DatasetResponseSchema,
  DataUploadQuerySchema,
  ProjectConfigSchema,
  RefreshResponseSchema,
  TriggerResponseSchema,
  TriggerRunRequestSchema,
} from "@vigil/contracts";
import {
  deleteFinishedHistory,
  insertDataset,
  requestProjectRun,
  type JsonValue,
} from "@vigil/db";
import { z } from "zod";

import { inTransaction } from "../audit/in-transaction.js";
import { replyJson } from "../audit/spec.js";
import { parseCsv } from "@vigil/datasources";
import { AppError } from "../http/app-error.js";
import { rawBodyInfo } from "../http/body.js";
import { assertSafeJson } from "../http/json-shape.js";
import { parseInput } from "../http/validate.js";
import { refreshProjects } from "../refresh.js";
import { ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { queuedTriggerJson } from "./queued-trigger.js";
import { defineRoute, type RouteDef } from "./route.js";

/** Rows of an upload: JSON (rows, or `{ rows }`) or CSV with a header row. */
function readUpload(body: unknown): {
  format: "json" | "csv";
  rows: JsonValue[];
} {
  if (typeof body === "string") {
    const parsed = parseCsv(body);
    if (!parsed.ok) {
      throw new AppError("invalid_dataset", `invalid CSV: ${parsed.message}`);
    }
    assertSafeJson(parsed.rows, "rows");
    return { format: "csv", rows: parsed.rows };
  }
  if (body === undefined) {
    throw new AppError(
      "invalid_dataset",
      "the upload is empty; send JSON rows or CSV with a header row",
    );
  }
  assertSafeJson(body);
  const parsed = parseInput(DatasetJsonUploadSchema, body, "body");
  return {
    format: "json",
    rows: (Array.isArray(parsed) ? parsed : parsed.rows) as JsonValue[],
  };
}

/** Operations on a project: run now, upload data, refresh, clean up history. */
export function projectActionRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: "post",
      path: "/projects/refresh",
      tag: "projects",
      access: "admin",
      summary:
        "Re-validates every project, schedule and rule, reports the problems, and wakes the trigger-creators",
      responses: {
        200: {
          description: "What was checked and what is wrong",
          schema: RefreshResponseSchema,
        },
      },
      audit: {
        action: "projects.refresh",
        target: () => "projects",
        after: (_ctx, reply) => replyJson(reply),
      },
      handler: async ({ db }) => ({ json: await refreshProjects(db) }),
    }),
    defineRoute({
      method: "post",
      path: "/projects/:id/trigger",
      tag: "projects",
      access: "write",
      summary:
        "Runs the project now: a manual trigger, optionally for a given data window",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: TriggerRunRequestSchema,
      bodyOptional: true,
      responses: {
        202: { description: "Queued", schema: TriggerResponseSchema },
      },
      audit: {
        action: "trigger.create",
        target: ({ params }) => `project:${params.id}`,
        scope: ({ params }) => params.id,
        after: (_ctx, reply) => ({ trigger: replyJson(reply) }),
      },
      handler: async ({ params, body, caller, db }) => {
        const project = await requireProject(db, params.id);
        const config = ProjectConfigSchema.safeParse(project.config);
        const trigger = await requestProjectRun(db, {
          projectId: params.id,
          windowStart:
            body.window_start === undefined
              ? null
              : new Date(body.window_start),
          windowEnd:
            body.window_end === undefined ? null : new Date(body.window_end),
          requestedBy: `api:${caller ?? "anonymous"}`,
          maxAttempts: config.success ? config.data.max_attempts : 1,
        });
        return { status: 202, json: queuedTriggerJson(trigger) };
      },
    }),
    defineRoute({
      method: "post",
      path: "/projects/:id/data",
      tag: "projects",
      access: "write",
      summary:
        "Uploads a dataset for a project with a manual data source (JSON rows or CSV; size-limited by API_UPLOAD_LIMIT)",
      params: ProjectParamsSchema,
      query: DataUploadQuerySchema,
      bodyKind: "upload",
      uploadDoc: {
        "application/json": DatasetJsonUploadSchema,
        "text/csv": z.string(),
      },
      responses: {
        201: { description: "Stored", schema: DatasetResponseSchema },
      },
      audit: {
        action: "dataset.upload",
        target: ({ params }) => `project:${params.id}`,
        scope: ({ params }) => params.id,
        // the dataset's metadata (size, sha256, row count), never its rows
        after: (_ctx, reply) => ({ dataset: replyJson(reply) }),
      },
      handler: async ({ params, query, caller, req, db }) => {
        const project = await requireProject(db, params.id);
        const source = (project.config as { data_source?: { type?: unknown } })
          .data_source?.type;
        if (source !== "manual") {
          throw new AppError(
            "conflict",
            `project "${params.id}" reads from a ${String(source)} data source; uploads feed only data_source.type "manual"`,
          );
        }
        const upload = readUpload(req.body as unknown);
        const raw = rawBodyInfo.get(req);
        if (raw === undefined) {
          throw new AppError(
            "invalid_dataset",
            "the upload is empty; send JSON rows or CSV with a header row",
          );
        }
        const dataset = await insertDataset(db, {
          projectId: params.id,
          format: upload.format,
          filename: query.filename ?? null,
          rows: upload.rows,
          sizeBytes: raw.sizeBytes,
          sha256: raw.sha256,
          uploadedBy: caller === null ? null : `api:${caller}`,
        });
        return { status: 201, json: dataset };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/projects/:id/cleanup",
      tag: "projects",
      access: "admin",
      summary:
        "Deletes the project's finished history now: finished executions and triggers, delivered reports, resolved discrepancies",
      params: ProjectParamsSchema,
      responses: {
        200: { description: "What was deleted", schema: CleanupResponseSchema },
      },
      audit: {
        action: "cleanup.run",
        target: ({ params }) => `project:${params.id}`,
        scope: ({ params }) => params.id,
        after: (_ctx, reply) => replyJson<{ deleted: unknown }>(reply).deleted,
      },
      handler: async ({ params, db }) => {
        await requireProject(db, params.id);
        const deleted = await inTransaction(db, (trx) =>
          deleteFinishedHistory(trx, params.id),
        );
        return { json: { project_id: params.id, deleted } };
      },
    }),
  ];
}
