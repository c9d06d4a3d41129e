import { z } from "zod";

import {
  ProjectIdSchema,
  RuleIdSchema,
  SEVERITY_LEVELS,
  SeveritySchema,
} from "../entities.js";
import { ExecutionStatusSchema } from "./execution-status.js";
import { CommaListSchema, CursorSchema, PageLimitSchema } from "./queries.js";
import { Instant, NullableInstant } from "./scalars.js";

/**
 * The discrepancy routes: the list that needs attention first, one discrepancy with its
 * history, and triage by hand (docs/discrepancies.md says what each state means).
 */

export const DISCREPANCY_STATUSES = [
  "open",
  "acknowledged",
  "muted",
  "resolved",
  "expired",
] as const;
/** What a person may set; `expired` is set by runs only. */
export const TRIAGE_STATUSES = [
  "open",
  "acknowledged",
  "muted",
  "resolved",
] as const;

/** sha256 of the rule id and the finding's key, in hex. */
export const FingerprintSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "expected a fingerprint (64 hex digits)");

export const DiscrepancyParamsSchema = z
  .object({
    id: ProjectIdSchema,
    fingerprint: FingerprintSchema,
  })
  .strict();

export const DiscrepancyListQuerySchema = z
  .object({
    /** One status or several, comma-separated; default: all of them, the ones that need attention first. */
    status: CommaListSchema(DISCREPANCY_STATUSES, "statuses").optional(),
    /** One severity or several, comma-separated: `high,critical`. */
    severity: CommaListSchema(SEVERITY_LEVELS, "severities").optional(),
    rule_id: RuleIdSchema.optional(),
    assignee: z.string().min(1).max(200).optional(),
    /** How far back resolved and expired discrepancies are listed. */
    resolved_within_hours: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .default(24 * 7),
    limit: PageLimitSchema(1000, 100),
    cursor: CursorSchema.optional(),
  })
  .strict();

export const DiscrepancySchema = z
  .object({
    project_id: z.string(),
    fingerprint: z.string(),
    rule_id: z.string(),
    finding_key: z.string(),
    /** The input row it is about (the project's `data_source.key`); null without one. */
    row_key: z.string().nullable(),
    severity: SeveritySchema,
    message: z.string(),
    data: z.unknown(),
    status: z.enum(DISCREPANCY_STATUSES),
    /** Why it is in its status: a mute's or a manual resolve's reason, or what a run saw. */
    status_reason: z.string().nullable(),
    status_changed_at: Instant,
    /** A token's name, or `system` (a run). */
    status_changed_by: z.string(),
    assignee: z.string().nullable(),
    note: z.string().nullable(),
    muted_until: NullableInstant,
    occurrences: z.number(),
    /** How often it was found again after being resolved. */
    regressions: z.number(),
    reopened_at: NullableInstant,
    first_seen_at: Instant,
    last_seen_at: Instant,
    /** The last run whose input held its row (or that flagged it). */
    last_evaluated_at: NullableInstant,
    last_evaluated_execution_id: z.number().nullable(),
    /** Since when runs have not read its row; null while they do. */
    not_evaluated_since: NullableInstant,
    resolved_at: NullableInstant,
    expired_at: NullableInstant,
    first_execution_id: z.number(),
    last_execution_id: z.number(),
    resolved_execution_id: z.number().nullable(),
  })
  .meta({ id: "Discrepancy" });

export const DiscrepancyListResponseSchema = z
  .object({
    items: z.array(DiscrepancySchema),
    next_cursor: z.string().nullable(),
    /** Whether there is a next page (next_cursor is not null). */
    truncated: z.boolean(),
  })
  .meta({ id: "DiscrepancyList" });

export const DiscrepancyEventSchema = z
  .object({
    id: z.number(),
    at: Instant,
    /** A token's name, or `system` (a run). */
    actor: z.string(),
    /** new, reopened, escalated, deescalated, unmuted, resolved, expired, not_evaluated, acknowledged, muted, assigned, opened, severity_changed. */
    change: z.string(),
    from_status: z.string().nullable(),
    to_status: z.string(),
    reason: z.string().nullable(),
    execution_id: z.number().nullable(),
    details: z.unknown(),
  })
  .meta({ id: "DiscrepancyEvent" });

export const DiscrepancyDetailResponseSchema = z
  .object({
    discrepancy: DiscrepancySchema,
    /** Every change of its state, oldest first. */
    events: z.array(DiscrepancyEventSchema),
    events_truncated: z.boolean(),
    /** The executions that found it, newest first (as far back as the cleaner keeps them). */
    seen_in: z.array(
      z.object({
        execution_id: z.number(),
        scheduled_for: Instant,
        finished_at: NullableInstant,
        status: ExecutionStatusSchema,
        severity: SeveritySchema,
        message: z.string(),
      }),
    ),
    seen_in_truncated: z.boolean(),
  })
  .meta({ id: "DiscrepancyDetail" });

const triageFields = {
  status: z.enum(TRIAGE_STATUSES),
  /** Required to mute or resolve. */
  reason: z.string().trim().min(1).max(4000).optional(),
  /** Required to mute: when the mute ends, in the future. */
  muted_until: z.iso.datetime({ offset: true }).optional(),
  /** Who is on it; null clears it. */
  assignee: z.string().trim().min(1).max(200).nullable().optional(),
  note: z.string().max(4000).nullable().optional(),
};

type TriageFields = {
  status: (typeof TRIAGE_STATUSES)[number];
  reason?: string | undefined;
  muted_until?: string | undefined;
};

/** The rules a triage body keeps beyond its field types, each naming the field it is about. */
function checkTriage(v: TriageFields, ctx: z.RefinementCtx): void {
  if (v.status === "muted") {
    if (v.muted_until === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["muted_until"],
        message: "required to mute: when the mute ends",
      });
    } else if (Date.parse(v.muted_until) <= Date.now()) {
      ctx.addIssue({
        code: "custom",
        path: ["muted_until"],
        message: "must be in the future",
      });
    }
  } else if (v.muted_until !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["muted_until"],
      message: 'only with status "muted"',
    });
  }
  if ((v.status === "muted" || v.status === "resolved") && !v.reason) {
    ctx.addIssue({
      code: "custom",
      path: ["reason"],
      message: `required to set status "${v.status}"`,
    });
  }
}

/** PATCH /projects/{id}/discrepancies/{fingerprint}. */
export const DiscrepancyTriageSchema = z
  .object(triageFields)
  .strict()
  .superRefine(checkTriage)
  .meta({ id: "DiscrepancyTriage" });

/** PATCH /projects/{id}/discrepancies: one change to many, all or none. */
export const DiscrepancyBulkTriageSchema = z
  .object({
    ...triageFields,
    fingerprints: z.array(FingerprintSchema).min(1).max(1000),
  })
  .strict()
  .superRefine(checkTriage)
  .meta({ id: "DiscrepancyBulkTriage" });

export const DiscrepancyBulkTriageResponseSchema = z
  .object({ items: z.array(DiscrepancySchema) })
  .meta({ id: "DiscrepancyBulkTriageResult" });
