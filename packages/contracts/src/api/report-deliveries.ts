import { z } from "zod";

import { ProjectIdSchema } from "../entities.js";

/** One row of `GET /executions/{id}/deliveries` and `GET /reports/dead`. */
export const ReportDeliverySchema = z
  .object({
    id: z.number().int(),
    project_id: z.string(),
    execution_id: z.number().int().nullable(),
    kind: z.enum(["report", "alert"]),
    idempotency_key: z.string(),
    /** The env var naming the URL (never the URL), or null for the global REPORT_URL. */
    target_env: z.string().nullable(),
    /** Where this row goes: a project's channel, or `default` (report.url_env / REPORT_URL, alert.slack_webhook_env). */
    channel: z.object({
      name: z.string(),
      kind: z.enum(["webhook", "slack", "email"]),
    }),
    status: z.enum(["pending", "delivering", "delivered", "dead"]),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    next_attempt_at: z.string(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    delivered_at: z.string().nullable(),
    dead_at: z.string().nullable(),
    created_at: z.string(),
    attempt_log: z.array(
      z.object({
        attempt: z.number().int(),
        worker_id: z.string().nullable(),
        started_at: z.string(),
        latency_ms: z.number().int().nullable(),
        status_code: z.number().int().nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "ReportDelivery" });
export type ReportDelivery = z.infer<typeof ReportDeliverySchema>;

/** `GET /executions/{id}/deliveries`: the execution's report and alert, each with its attempt log. */
export const ExecutionDeliveriesResponseSchema = z
  .object({ items: z.array(ReportDeliverySchema) })
  .meta({ id: "ExecutionDeliveries" });

/** `GET /reports/dead` query: newest first, keyset pagination. */
export const DeadLetterQuerySchema = z
  .object({
    project_id: ProjectIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,64}$/,
        "expected a cursor returned by a previous page",
      )
      .optional(),
  })
  .strict();

export const DeadLetterListResponseSchema = z
  .object({
    items: z.array(ReportDeliverySchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: "DeadLetterList" });
