import { z } from "zod";

import { ProjectIdSchema } from "../entities.js";
import { Instant, NullableInstant } from "./scalars.js";

/**
 * What a token may do. `read`: every GET; `write`: projects, schedules, rules, data uploads,
 * run now, dry runs; `triage`: the state of discrepancies; `admin`: tokens, refresh, cleanup,
 * re-queueing dead reports. Scopes do not imply each other.
 */
export const API_SCOPES = ["read", "write", "triage", "admin"] as const;
export const ScopeSchema = z.enum(API_SCOPES).meta({ id: "Scope" });
export type Scope = z.infer<typeof ScopeSchema>;

/** `api-token-<N>` is kept for the API_TOKENS entries (migrations/0016_api_tokens.sql). */
export const TokenNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    "expected lowercase letters, digits, '.', '-' or '_', starting with a letter or digit, at most 63 characters",
  )
  .refine(
    (name) => !/^api-token-[0-9]+$/.test(name),
    "api-token-<N> names the API_TOKENS entries; choose another name",
  );

const unique = (values: readonly string[]) =>
  new Set(values).size === values.length;

/** POST /tokens (and `vigil token create`). */
export const TokenCreateRequestSchema = z
  .object({
    name: TokenNameSchema,
    scopes: z
      .array(ScopeSchema)
      .min(1, "expected at least one scope")
      .refine(unique, "expected each scope once"),
    /** Absent or null: every project. */
    projects: z
      .array(ProjectIdSchema)
      .min(1, "expected at least one project id (leave projects out for all)")
      .max(1000)
      .refine(unique, "expected each project once")
      .nullable()
      .optional(),
    expires_at: z.iso
      .datetime({ offset: true })
      .refine(
        (at) => Date.parse(at) > Date.now(),
        "expected a time in the future",
      )
      .nullable()
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.projects != null && v.scopes.includes("admin")) {
      ctx.addIssue({
        code: "custom",
        path: ["projects"],
        message:
          "an admin token manages every project (it can make tokens), so it cannot be limited to projects",
      });
    }
  })
  .meta({ id: "TokenCreateRequest" });
export type TokenCreateRequest = z.infer<typeof TokenCreateRequestSchema>;

/** A token as listed: never its secret or hash. */
export const TokenSchema = z
  .object({
    name: z.string(),
    scopes: z.array(ScopeSchema),
    projects: z.array(z.string()).nullable(),
    /** `revoked` wins over `expired`. */
    status: z.enum(["active", "expired", "revoked"]),
    created_at: Instant,
    created_by: z.string(),
    /** Approximate: recorded at most once a minute. */
    last_used_at: NullableInstant,
    expires_at: NullableInstant,
    revoked_at: NullableInstant,
  })
  .meta({ id: "Token" });
export type Token = z.infer<typeof TokenSchema>;

/** 201 of POST /tokens: the only answer that ever holds the secret. */
export const TokenCreatedResponseSchema = z
  .object({
    token: z.string().meta({
      description: "The bearer secret (`vgl_...`); shown only in this answer",
    }),
    name: z.string(),
    scopes: z.array(ScopeSchema),
    projects: z.array(z.string()).nullable(),
    expires_at: NullableInstant,
    created_at: Instant,
    created_by: z.string(),
  })
  .meta({ id: "TokenCreated" });

export const TokenListResponseSchema = z
  .object({ items: z.array(TokenSchema) })
  .meta({ id: "TokenList" });
