import { z } from "zod";

import { convertNamedParameters } from "./named-params.js";

/**
 * The `data_source` block of a project's config (packages/contracts/README.md).
 * Every object is `.strict()`: an unknown key is an error, never silently ignored.
 * Names ending in `_env` name secrets of the executor (`VIGIL_SECRET_*`, see
 * SecretNameSchema); the secret values themselves are never stored in the database.
 */

/** An environment variable name such as `ORDERS_DB_URL`. */
export const EnvVarNameSchema = z
  .string()
  .regex(
    /^[A-Z_][A-Z0-9_]*$/,
    "must be an environment variable name (A-Z, 0-9, _; not starting with a digit)",
  );

/** Every name a project's `*_env` field may give starts with this. */
export const SECRET_NAME_PREFIX = "VIGIL_SECRET_";
export const SECRET_NAME_PATTERN = /^VIGIL_SECRET_[A-Z0-9_]+$/;

/**
 * A secret the operator made available to projects: the executor's environment
 * variable of that name, or the file of that name in its SECRETS_DIR. The prefix keeps
 * the executor's own settings (DATABASE_URL, API_TOKENS, REPORT_SIGNING_SECRET, ...)
 * out of every project's reach.
 */
export const SecretNameSchema = z
  .string()
  .regex(
    SECRET_NAME_PATTERN,
    `must name a secret made available to projects: ${SECRET_NAME_PREFIX}<NAME> (A-Z, 0-9, _), an executor environment variable or a file in its SECRETS_DIR; the executor's own settings such as DATABASE_URL are never readable`,
  );

const JsonScalarSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
]);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const JsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([
    JsonScalarSchema,
    z.array(JsonSchema),
    z.record(z.string(), JsonSchema),
  ]),
);

const RowFieldSchema = z
  .string()
  .min(1, "a row key field is a non-empty field name")
  .max(128, "a row key field name is at most 128 characters");

/**
 * The field (or fields) that identify a row of this source, such as `order_id`. With it, a run
 * is evidence about exactly the rows it read: a discrepancy resolves only when its row was read
 * and no rule flagged it; one whose row was not read (outside the window, not returned) keeps its
 * state and is marked not evaluated. A finding's `row_key` defaults to its `key`. Several fields
 * are joined with `|` in order (`[region, order_id]` -> `eu|1007`).
 */
export const RowKeySchema = z.union([
  RowFieldSchema,
  z
    .array(RowFieldSchema)
    .min(1, "a row key lists at least one field")
    .max(8, "a row key lists at most 8 fields"),
]);
export type RowKey = z.infer<typeof RowKeySchema>;

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `:start` and `:end` are the execution window; params may not shadow them. */
const RESERVED_SQL_PARAMS = new Set(["start", "end"]);

export const SqlDataSourceSchema = z
  .object({
    type: z.literal("sql"),
    driver: z.enum(["postgres", "mysql"]),
    url_env: SecretNameSchema,
    query: z.string().min(1).max(100_000),
    params: z
      .record(
        z
          .string()
          .regex(
            identifier,
            "parameter names are identifiers (letters, digits, _)",
          ),
        JsonScalarSchema,
      )
      .default({}),
    timeout_seconds: z.number().int().min(1).max(3600).default(30),
    max_rows: z.number().int().min(1).max(10_000_000).default(1_000_000),
    key: RowKeySchema.optional(),
  })
  .strict()
  .superRefine((source, ctx) => {
    for (const name of Object.keys(source.params)) {
      if (RESERVED_SQL_PARAMS.has(name)) {
        ctx.addIssue({
          code: "custom",
          path: ["params", name],
          message: `:${name} is the execution window and cannot be set in params`,
        });
      }
    }
    // the executor's own conversion, with placeholders for values: a typo in a name fails
    // `vigil validate` and the API's write instead of the first run
    const checked = convertNamedParameters(
      source.query,
      { ...source.params, start: null, end: null },
      source.driver,
    );
    if (!checked.ok) {
      ctx.addIssue({
        code: "custom",
        path: ["query"],
        message: checked.message,
      });
    }
  });

export const HttpAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("bearer"), token_env: SecretNameSchema }).strict(),
  z
    .object({
      type: z.literal("basic"),
      username_env: SecretNameSchema,
      password_env: SecretNameSchema,
    })
    .strict(),
  z
    .object({
      type: z.literal("api_key"),
      value_env: SecretNameSchema,
      /** Header carrying the key; `X-API-Key` when neither `header` nor `query` is set. */
      header: z
        .string()
        .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name")
        .optional(),
      /** Query parameter carrying the key instead of a header. */
      query: z.string().min(1).optional(),
    })
    .strict()
    .refine((auth) => auth.header === undefined || auth.query === undefined, {
      message: "api_key auth takes either header or query, not both",
    }),
]);

export const HttpPaginationSchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("page"),
      /** Query parameter holding the page number. */
      param: z.string().min(1),
      /** First page number. @default 1 */
      start: z.number().int().min(0).default(1),
      size_param: z.string().min(1).optional(),
      size: z.number().int().min(1).max(100_000).optional(),
    })
    .strict()
    .refine((p) => (p.size_param === undefined) === (p.size === undefined), {
      message: "size_param and size go together",
    }),
  z
    .object({
      type: z.literal("offset"),
      param: z.string().min(1),
      limit_param: z.string().min(1),
      limit: z.number().int().min(1).max(100_000),
    })
    .strict(),
  z
    .object({
      type: z.literal("cursor"),
      /** Query parameter the next cursor is sent in. */
      param: z.string().min(1),
      /** Dot path of the next cursor in the response body; empty or missing ends paging. */
      cursor_path: z.string().min(1),
    })
    .strict(),
  z.object({ type: z.literal("link") }).strict(),
]);

/** Headers that carry credentials must come from `auth` (an env reference), not plain text. */
const CREDENTIAL_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
]);

export const HttpDataSourceSchema = z
  .object({
    type: z.literal("http"),
    url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
    method: z.enum(["GET", "POST"]).default("GET"),
    headers: z
      .record(
        z
          .string()
          .regex(
            /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/,
            "must be an HTTP header name",
          ),
        z.string(),
      )
      .default({}),
    body: JsonSchema.optional(),
    auth: HttpAuthSchema.optional(),
    pagination: HttpPaginationSchema.optional(),
    /** Dot path of the rows array in the body (`data.items`); without it the body must be an array. */
    items_path: z
      .string()
      .regex(/^[^.]+(\.[^.]+)*$/, "must be a dot path such as data.items")
      .optional(),
    max_pages: z.number().int().min(1).max(10_000).default(100),
    timeout_seconds: z.number().int().min(1).max(3600).default(30),
    max_rows: z.number().int().min(1).max(10_000_000).default(1_000_000),
    max_response_bytes: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024 * 1024)
      .default(50 * 1024 * 1024),
    /** Opt-in to private/loopback targets; the operator must allow them too. */
    allow_private_network: z.boolean().default(false),
    key: RowKeySchema.optional(),
  })
  .strict()
  .superRefine((source, ctx) => {
    if (source.body !== undefined && source.method !== "POST") {
      ctx.addIssue({
        code: "custom",
        path: ["body"],
        message: "body is only allowed with method POST",
      });
    }
    for (const name of Object.keys(source.headers)) {
      if (CREDENTIAL_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          path: ["headers", name],
          message: `${name} carries credentials: use auth with an _env reference`,
        });
      }
    }
    if (URL.canParse(source.url)) {
      const url = new URL(source.url);
      if (url.username !== "" || url.password !== "") {
        ctx.addIssue({
          code: "custom",
          path: ["url"],
          message: "credentials in the URL are not allowed: use auth",
        });
      }
    }
  });

export const ManualDataSourceSchema = z
  .object({ type: z.literal("manual"), key: RowKeySchema.optional() })
  .strict();

export const DataSourceSchema = z.discriminatedUnion("type", [
  SqlDataSourceSchema,
  HttpDataSourceSchema,
  ManualDataSourceSchema,
]);

export type DataSource = z.infer<typeof DataSourceSchema>;
export type DataSourceInput = z.input<typeof DataSourceSchema>;
export type SqlDataSource = z.infer<typeof SqlDataSourceSchema>;
export type HttpDataSource = z.infer<typeof HttpDataSourceSchema>;
export type HttpAuth = z.infer<typeof HttpAuthSchema>;
export type HttpPagination = z.infer<typeof HttpPaginationSchema>;
export type ManualDataSource = z.infer<typeof ManualDataSourceSchema>;
