import { z } from "zod";

import {
  CONCURRENCY_POLICIES,
  MISFIRE_POLICIES,
  SeveritySchema,
} from "../entities.js";
import { ProjectConfigSchema } from "../project-config.js";

const InstantSchema = z.iso.datetime({ offset: true });
const atLeastOneField = (v: object) => Object.keys(v).length > 0;

/** PATCH /projects/{id}: settings only; schedules and rules have their own routes. */
export const ProjectPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    is_active: z.boolean().optional(),
    config: ProjectConfigSchema.optional(),
  })
  .strict()
  .refine(
    atLeastOneField,
    "expected at least one of name, description, is_active, config",
  )
  .meta({ id: "ProjectPatch" });

/** PATCH of a schedule: any field of ScheduleInput, none defaulted. */
export const SchedulePatchSchema = z
  .object({
    cron_expression: z.string().min(1).max(200).optional(),
    timezone: z.string().min(1).max(64).optional(),
    concurrency_policy: z.enum(CONCURRENCY_POLICIES).optional(),
    misfire_policy: z.enum(MISFIRE_POLICIES).optional(),
    starting_deadline_seconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .nullable()
      .optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .refine(atLeastOneField, "expected at least one field to change")
  .meta({ id: "SchedulePatch" });

/** PATCH of a rule: any field of RuleInput but rule_id, none defaulted. */
export const RulePatchSchema = z
  .object({
    definition_id: z.string().max(200).nullable().optional(),
    description: z.string().max(10_000).optional(),
    category: z.string().max(100).optional(),
    severity: SeveritySchema.optional(),
    logic: z.string().max(20_000).optional(),
    code: z
      .string()
      .min(1)
      .max(256 * 1024)
      .optional(),
    explanation: z.string().max(20_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    dependencies: z.array(z.string().max(200)).max(100).optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .refine(atLeastOneField, "expected at least one field to change")
  .meta({ id: "RulePatch" });

/** POST /projects/{id}/trigger: optionally the data window of this run. */
export const TriggerRunRequestSchema = z
  .object({
    window_start: InstantSchema.optional(),
    window_end: InstantSchema.optional(),
  })
  .strict()
  .refine(
    (v) => (v.window_start === undefined) === (v.window_end === undefined),
    "give both window_start and window_end, or neither",
  )
  .refine(
    (v) =>
      v.window_start === undefined ||
      v.window_end === undefined ||
      Date.parse(v.window_start) < Date.parse(v.window_end),
    {
      message: "window_start must be before window_end",
      path: ["window_end"],
    },
  )
  .meta({ id: "TriggerRunRequest" });

/** POST /cron/preview. */
export const CronPreviewRequestSchema = z
  .object({
    cron_expression: z.string().min(1).max(200),
    timezone: z.string().min(1).max(64).default("UTC"),
    /** Exclusive start; default: now. */
    after: InstantSchema.optional(),
    count: z.number().int().min(1).max(100).default(10),
  })
  .strict()
  .meta({ id: "CronPreviewRequest" });

/** POST /projects/{id}/data as JSON: the rows, or `{ rows }`. Each row is an object. */
export const DatasetRowsSchema = z
  .array(z.record(z.string(), z.unknown()))
  .max(1_000_000);
export const DatasetJsonUploadSchema = z
  .union([DatasetRowsSchema, z.object({ rows: DatasetRowsSchema }).strict()])
  .meta({ id: "DatasetJsonUpload" });
