import { z } from "zod";

import { CursorSchema, PageLimitSchema } from "./queries.js";
import { Instant } from "./scalars.js";

/** A filter value: exact match, printable, bounded. */
const AuditFilter = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "expected printable ASCII without spaces");

/** GET /audit: exact-match filters, newest first, keyset cursor. */
export const AuditListQuerySchema = z
  .object({
    target: AuditFilter.optional(),
    actor: AuditFilter.optional(),
    action: AuditFilter.optional(),
    cursor: CursorSchema.optional(),
    limit: PageLimitSchema(500, 100),
  })
  .strict();

export const AuditEventSchema = z
  .object({
    id: z.number().int(),
    at: Instant,
    /** A token's name, `cli:<os user>`, or `system`. */
    actor: z.string(),
    /** `<kind>.<verb>`: project.update, schedule.create, trigger.create, ... */
    action: z.string(),
    /** `<kind>:<key>`: project:orders, schedule:12, rule:orders/no-negative, report:7 */
    target: z.string(),
    /** The X-Request-Id of the API request; null for the CLI. */
    request_id: z.string().nullable(),
    /** `{ before, after }` of the target (null where it did not exist), secret-named keys redacted. */
    diff: z.unknown(),
    /** The previous row's hash (null for the first row ever). */
    prev_hash: z.string().nullable(),
    /** sha256 hex over the row's canonical form (see vigil audit verify). */
    hash: z.string(),
  })
  .meta({ id: "AuditEvent" });

export const AuditListResponseSchema = z
  .object({
    items: z.array(AuditEventSchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: "AuditList" });
