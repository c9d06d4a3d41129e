import { z } from "zod";

/** Every error code the API answers with, and the HTTP status that goes with it. */
export const API_ERROR_STATUS = {
  bad_request: 400,
  malformed_json: 400,
  invalid_query: 400,
  invalid_parameter: 400,
  too_deeply_nested: 400,
  forbidden_key: 400,
  invalid_text: 400,
  unauthorized: 401,
  invalid_token: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  validation_failed: 422,
  invalid_schedule: 422,
  invalid_rule_code: 422,
  invalid_dataset: 422,
  not_ready: 503,
  unavailable: 503,
  internal: 500,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;
export const API_ERROR_CODES = Object.keys(API_ERROR_STATUS) as ApiErrorCode[];

/** The body of every error response: `{ "error": { "code", "message", "details" } }`. */
export const ApiErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(API_ERROR_CODES as [ApiErrorCode, ...ApiErrorCode[]]),
      message: z.string(),
      /** Per-field problems for validation errors (`[{ path, message }]`), otherwise null or a small object. */
      details: z.unknown(),
    }),
  })
  .meta({ id: "ApiError" });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** One problem of a validation error: where (dot path into the input) and what. */
export const ValidationIssueSchema = z
  .object({ path: z.string(), message: z.string() })
  .meta({ id: "ValidationIssue" });
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;
