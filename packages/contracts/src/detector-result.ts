import { z } from "zod";
import { SEVERITY_LEVELS } from "./entities.js";

/**
 * What a detector process reports (docs: /work/notes/detector-protocol.md).
 * The runtime in the synthesized detector folder writes it, signed, to file descriptor 3
 * as `{ v: 1, mac, body }` where `body` is this document as a JSON string and
 * `mac = hex HMAC-SHA256(nonce, body)`. The executor verifies the mac, then parses `body`
 * with `DetectorResultSchema`.
 *
 * Version 1. A breaking change bumps `v` here and in the synthesizer's runtime together.
 */

/** A finding's severity: the same levels as a rule's (a rule's severity is its findings' default). */
export const FINDING_SEVERITIES = SEVERITY_LEVELS;
export const FindingSeveritySchema = z.enum(FINDING_SEVERITIES);
export type FindingSeverity = z.infer<typeof FindingSeveritySchema>;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const DetectorJsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(DetectorJsonSchema),
    z.record(z.string(), DetectorJsonSchema),
  ]),
);

/** One finding; `key` identifies it within its rule (fingerprint = sha256(ruleId + "\0" + key)). */
export const DetectorFindingSchema = z
  .object({
    key: z.string().min(1).max(1024),
    /** The input row it is about (`data_source.key`); unset: the key is the row key. */
    row_key: z.string().min(1).max(1024).optional(),
    message: z.string().max(4096),
    severity: FindingSeveritySchema,
    data: DetectorJsonSchema.optional(),
  })
  .strict();
export type DetectorFinding = z.infer<typeof DetectorFindingSchema>;

export const DetectorRuleResultSchema = z
  .object({
    ruleId: z.string().min(1),
    definitionId: z.string().nullable(),
    status: z.enum(["ok", "error"]),
    durationMs: z.number().nonnegative(),
    error: z
      .object({ message: z.string(), stack: z.string().optional() })
      .strict()
      .optional(),
    /** Findings the rule returned past the project's `max_findings_per_rule`, dropped; absent: none. */
    findingsTruncated: z.number().int().min(1).optional(),
    findings: z.array(DetectorFindingSchema),
  })
  .strict()
  .refine((rule) => rule.status === "ok" || rule.error !== undefined, {
    message: "a rule with status error carries an error",
  });
export type DetectorRuleResult = z.infer<typeof DetectorRuleResultSchema>;

export const DetectorResultSchema = z
  .object({
    v: z.literal(1),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    rowCount: z.number().int().nonnegative(),
    rules: z.array(DetectorRuleResultSchema),
  })
  .strict();
export type DetectorResult = z.infer<typeof DetectorResultSchema>;

/** The envelope on file descriptor 3. `body` is kept as a string so the mac covers exact bytes. */
export const SignedDetectorResultSchema = z
  .object({
    v: z.literal(1),
    mac: z.string().regex(/^[0-9a-f]{64}$/),
    body: z.string(),
  })
  .strict();
export type SignedDetectorResult = z.infer<typeof SignedDetectorResultSchema>;
