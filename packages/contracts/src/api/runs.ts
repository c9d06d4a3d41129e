import { z } from "zod";

import { ExecutionStatusSchema } from "./execution-status.js";
import { CommaListSchema, CursorSchema, PageLimitSchema } from "./queries.js";
import { Instant, NullableInstant, TriggerSource } from "./scalars.js";

/** Every state of a run (a trigger): waiting, running, or how it ended. */
export const RUN_STATUSES = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
] as const;

export const RunListQuerySchema = z
  .object({
    /** One status or several, comma-separated: `skipped,cancelled`. */
    status: CommaListSchema(RUN_STATUSES, "statuses").optional(),
    limit: PageLimitSchema(500, 50),
    cursor: CursorSchema.optional(),
  })
  .strict();

export const RunSchema = z
  .object({
    id: z.number(),
    schedule_id: z.number().nullable(),
    source: TriggerSource,
    fire_at: Instant,
    status: z.enum(RUN_STATUSES),
    /** Attempts spent: runs whose detector ran and failed. */
    attempt: z.number(),
    /** Runs taken back from workers that died, froze or lost their connection. */
    rescues: z.number(),
    /** Why it ended as it did (a skip's policy or deadline, a cancel, a failure), else null. */
    reason: z.string().nullable(),
    /** A `forbid` skip: the running trigger it overlapped. */
    skipped_for_trigger_id: z.number().nullable(),
    finished_at: NullableInstant,
    /** The latest execution of this run; null when it never started. */
    execution_id: z.number().nullable(),
    execution_status: ExecutionStatusSchema.nullable(),
  })
  .meta({ id: "Run" });

export const RunListResponseSchema = z
  .object({
    items: z.array(RunSchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: "RunList" });
