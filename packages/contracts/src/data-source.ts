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
export const RowKeySchema = z
  .union([
    RowFieldSchema,
    z
      .array(RowFieldSchema)
      .min(1, "a row key lists at least one field")
      .max(8, "a row key lists at most 8 fields"),
  ])
  .describe(
    "The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`.",
  );
export type RowKey = z.infer<typeof RowKeySchema>;

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `:start` and `:end` are the execution window; params may not shadow them. */
const RESERVED_SQL_PARAMS = new Set(["start", "end"]);

export const SqlDataSourceSchema = z
  .object({
    type: z.literal("sql").describe("Rows from one SQL query."),
    driver: z.enum(["postgres", "mysql"]).describe("The database's protocol."),
    url_env: SecretNameSchema.describe(
      "The secret holding the connection URL (`postgres://user:password@host:5432/db`).",
    ),
    query: z
      .string()
      .min(1)
      .max(100_000)
      .describe(
        "The query. `:start` and `:end` are the execution window (timestamps); `:name` is a value of `params`. Every `:name` is sent as a bound parameter, never pasted into the text.",
      ),
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
      .default({})
      .describe(
        "Values for the query's `:name` parameters; `start` and `end` are reserved for the window.",
      ),
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe("The query is cancelled after this many seconds."),
    max_rows: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(1_000_000)
      .describe("A query returning more rows fails the run."),
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
    // the executor's own conversion, with nulls standing in for the window's instants: a typo
    // in a name fails `vigil validate` and the API's write instead of the first run
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
  z
    .object({
      type: z.literal("bearer").describe("`Authorization: Bearer <token>`."),
      token_env: SecretNameSchema.describe("The secret holding the token."),
    })
    .strict(),
  z
    .object({
      type: z.literal("basic").describe("HTTP Basic authentication."),
      username_env: SecretNameSchema.describe(
        "The secret holding the user name.",
      ),
      password_env: SecretNameSchema.describe(
        "The secret holding the password.",
      ),
    })
    .strict(),
  z
    .object({
      type: z
        .literal("api_key")
        .describe("A key in a header or query parameter."),
      value_env: SecretNameSchema.describe("The secret holding the key."),
      header: z
        .string()
        .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name")
        .optional()
        .describe(
          "Header carrying the key; `X-API-Key` when neither `header` nor `query` is set.",
        ),
      query: z
        .string()
        .min(1)
        .optional()
        .describe("Query parameter carrying the key instead of a header."),
    })
    .strict()
    .refine((auth) => auth.header === undefined || auth.query === undefined, {
      message: "api_key auth takes either header or query, not both",
    }),
]);

export const HttpPaginationSchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("page").describe("Numbered pages."),
      param: z
        .string()
        .min(1)
        .describe("Query parameter holding the page number."),
      start: z.number().int().min(0).default(1).describe("First page number."),
      size_param: z
        .string()
        .min(1)
        .optional()
        .describe("Query parameter holding the page size; goes with `size`."),
      size: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .optional()
        .describe("Rows per page, sent in `size_param`."),
    })
    .strict()
    .refine((p) => (p.size_param === undefined) === (p.size === undefined), {
      message: "size_param and size go together",
    }),
  z
    .object({
      type: z.literal("offset").describe("An offset and a limit."),
      param: z
        .string()
        .min(1)
        .describe(
          "Query parameter holding the offset (0, limit, 2 x limit, ...).",
        ),
      limit_param: z
        .string()
        .min(1)
        .describe("Query parameter holding the limit."),
      limit: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .describe("Rows per request; a shorter page ends paging."),
    })
    .strict(),
  z
    .object({
      type: z.literal("cursor").describe("A cursor from each response."),
      param: z
        .string()
        .min(1)
        .describe("Query parameter the next cursor is sent in."),
      cursor_path: z
        .string()
        .min(1)
        .describe(
          "Dot path of the next cursor in the response body; empty or missing ends paging.",
        ),
    })
    .strict(),
  z
    .object({
      type: z
        .literal("link")
        .describe('The `Link: <...>; rel="next"` response header (RFC 8288).'),
    })
    .strict(),
]);

/** Headers that carry credentials must come from `auth` (an env reference), not plain text. */
const CREDENTIAL_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
]);

export const HttpDataSourceSchema = z
  .object({
    type: z.literal("http").describe("Rows from a JSON HTTP API."),
    url: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .describe("The first request's URL; no credentials in it (use `auth`)."),
    method: z.enum(["GET", "POST"]).default("GET").describe("HTTP method."),
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
      .default({})
      .describe(
        "Extra request headers; `Authorization`, `Proxy-Authorization` and `Cookie` are refused (use `auth`).",
      ),
    body: JsonSchema.optional().describe(
      "JSON request body; only with `POST`.",
    ),
    auth: HttpAuthSchema.optional().describe(
      "How requests authenticate; each credential comes from a secret.",
    ),
    pagination: HttpPaginationSchema.optional().describe(
      "How to fetch further pages; unset: one request.",
    ),
    items_path: z
      .string()
      .regex(/^[^.]+(\.[^.]+)*$/, "must be a dot path such as data.items")
      .optional()
      .describe(
        "Dot path of the rows array in the body (`data.items`); unset: the body must be an array.",
      ),
    max_pages: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe("Paging stops after this many requests."),
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe("Each request is aborted after this many seconds."),
    max_rows: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(1_000_000)
      .describe("More rows than this fails the run."),
    max_response_bytes: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024 * 1024)
      .default(50 * 1024 * 1024)
      .describe("A larger response body fails the run."),
    allow_private_network: z
      .boolean()
      .default(false)
      .describe(
        "Opt in to private and loopback targets; the operator must allow them too (DATASOURCE_ALLOW_PRIVATE_NETWORKS).",
      ),
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
  .object({
    type: z
      .literal("manual")
      .describe(
        "Rows from the latest dataset uploaded with `POST /projects/{id}/data`.",
      ),
    key: RowKeySchema.optional(),
  })
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
