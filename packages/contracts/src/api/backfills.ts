import { z } from "zod";

import { isoDurationToMs, IsoDurationSchema } from "../duration.js";
import { Instant, NullableInstant } from "./scalars.js";

/** Windows one backfill may cut its range into. */
export const BACKFILL_MAX_WINDOWS = 10_000;
/** Bounds of a backfill's `concurrency` (its triggers unfinished at a time). */
export const BACKFILL_CONCURRENCY = { min: 1, max: 100 } as const;

/** Windows of [from, to) cut every `stepMs`, the last one cut short at `to`. */
export function backfillWindowCount(
  fromMs: number,
  toMs: number,
  stepMs: number,
): number {
  return Math.ceil((toMs - fromMs) / stepMs);
}

const InstantInput = z.iso.datetime({ offset: true });

/** POST /projects/{id}/backfill (and `vigil backfill`). */
export const BackfillRequestSchema = z
  .object({
    from: InstantInput.describe("start of the range (inclusive)"),
    to: InstantInput.describe("end of the range (exclusive)"),
    step: IsoDurationSchema.describe(
      "length of each window, an ISO 8601 duration: PT1H, P1D",
    ),
    concurrency: z
      .number()
      .int()
      .min(BACKFILL_CONCURRENCY.min)
      .max(BACKFILL_CONCURRENCY.max)
      .default(1)
      .describe("at most this many of its runs pending or running at a time"),
  })
  .strict()
  .superRefine((v, ctx) => {
    const from = Date.parse(v.from);
    const to = Date.parse(v.to);
    if (!(from < to)) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: "to must be after from",
      });
      return;
    }
    const stepMs = isoDurationToMs(v.step) ?? 0;
    if (stepMs <= 0) {
      return;
    }
    const windows = backfillWindowCount(from, to, stepMs);
    if (windows > BACKFILL_MAX_WINDOWS) {
      ctx.addIssue({
        code: "custom",
        path: ["step"],
        message: `the range makes ${windows} windows of ${v.step}; a backfill has at most ${BACKFILL_MAX_WINDOWS}: use a longer step or a shorter range`,
      });
    }
  })
  .meta({ id: "BackfillRequest" });
export type BackfillRequest = z.output<typeof BackfillRequestSchema>;

export const BACKFILL_STATUSES = ["running", "done", "cancelled"] as const;

/** A backfill and its progress: windows by where they are. */
export const BackfillResponseSchema = z
  .object({
    id: z.number(),
    project_id: z.string(),
    from: Instant,
    to: Instant,
    step: z.string(),
    concurrency: z.number(),
    status: z.enum(BACKFILL_STATUSES),
    total: z.number().describe("windows in the range"),
    created: z.number().describe("triggers this backfill made"),
    existing: z
      .number()
      .describe(
        "windows skipped because an earlier backfill already has a trigger for them",
      ),
    remaining: z.number().describe("windows not reached yet"),
    pending: z.number(),
    running: z.number(),
    succeeded: z.number(),
    failed: z.number(),
    skipped: z.number(),
    cancelled: z.number(),
    requested_by: z.string().nullable(),
    created_at: Instant,
    updated_at: Instant,
    finished_at: NullableInstant,
  })
  .meta({ id: "Backfill" });
export type BackfillResponse = z.output<typeof BackfillResponseSchema>;
