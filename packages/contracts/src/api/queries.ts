import { z } from "zod";

import { ProjectIdSchema } from "../entities.js";
import { EXECUTION_STATUSES } from "./execution-status.js";

/** Page size of list routes. Query strings are strings: coerced, then range-checked. */
export const PageLimitSchema = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** An opaque keyset cursor, as returned in `next_cursor`. */
export const CursorSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{1,256}$/,
    "expected a cursor returned by a previous page",
  );

/**
 * A query parameter holding one or more of `values`, comma-separated (`failed,timeout`), each
 * at most once; `what` names them in the error ("expected statuses from ...").
 */
export const CommaListSchema = (values: readonly string[], what: string) => {
  const one = `(?:${values.join("|")})`;
  return z
    .string()
    .regex(
      new RegExp(`^${one}(?:,${one}){0,${values.length - 1}}$`),
      `expected ${what} from ${values.join(", ")}, comma-separated`,
    );
};

const InstantSchema = z.iso.datetime({ offset: true });
const BooleanQuerySchema = z.enum(["true", "false"]);

export const ProjectListQuerySchema = z
  .object({
    limit: PageLimitSchema(500, 100),
    cursor: CursorSchema.optional(),
    is_active: BooleanQuerySchema.optional(),
    /** `overview`: each item also has its latest execution, next run and open discrepancies by severity. */
    include: z.literal("overview").optional(),
  })
  .strict();

export const ExecutionListQuerySchema = z
  .object({
    /** One status or several, comma-separated: `failed,timeout`. */
    status: CommaListSchema(EXECUTION_STATUSES, "statuses").optional(),
    /** Inclusive lower bound on scheduled_for. */
    from: InstantSchema.optional(),
    /** Exclusive upper bound on scheduled_for. */
    to: InstantSchema.optional(),
    limit: PageLimitSchema(500, 50),
    cursor: CursorSchema.optional(),
  })
  .strict();

/** GET /executions/{id}/changes: the discrepancy events one run wrote, a page at a time. */
export const ExecutionChangesQuerySchema = z
  .object({
    limit: PageLimitSchema(1000, 500),
    cursor: CursorSchema.optional(),
  })
  .strict();

/** The statuses `GET /failures` lists: runs that did not do their whole job. */
export const FAILURE_STATUSES = [
  "failed",
  "timeout",
  "lost",
  "partial",
] as const;

export const FailureListQuerySchema = z
  .object({
    /** Some of failed, timeout, lost, partial, comma-separated; default: failed,timeout,lost. */
    status: CommaListSchema(FAILURE_STATUSES, "statuses").default(
      "failed,timeout,lost",
    ),
    project_id: ProjectIdSchema.optional(),
    /** How far back, in hours (1 to 720). */
    hours: z.coerce.number().int().min(1).max(720).default(24),
    limit: PageLimitSchema(100, 20),
  })
  .strict();

export const ExecutionDetailQuerySchema = z
  .object({ findings_limit: PageLimitSchema(1000, 100) })
  .strict();

export const StatsQuerySchema = z
  .object({
    project_id: ProjectIdSchema.optional(),
    /** Inclusive; default: 24 hours before `to`. */
    from: InstantSchema.optional(),
    /** Exclusive; default: now. */
    to: InstantSchema.optional(),
  })
  .strict();

export const QueueQuerySchema = z
  .object({
    limit: PageLimitSchema(500, 50),
    project_id: ProjectIdSchema.optional(),
  })
  .strict();

export const DataUploadQuerySchema = z
  .object({
    filename: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,199}$/,
        "expected a plain file name",
      )
      .optional(),
  })
  .strict();

export const EmptyQuerySchema = z.object({}).strict();
