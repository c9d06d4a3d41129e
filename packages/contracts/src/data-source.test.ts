import { describe, expect, it } from "vitest";

import { DataSourceSchema } from "./data-source.js";

const issues = (input: unknown) => {
  const parsed = DataSourceSchema.safeParse(input);
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("DataSourceSchema", () => {
  it("fills the documented defaults for sql and http sources", () => {
    expect(
      DataSourceSchema.parse({
        type: "sql",
        driver: "postgres",
        url_env: "VIGIL_SECRET_ORDERS_DB_URL",
        query: "select 1",
      }),
    ).toEqual({
      type: "sql",
      driver: "postgres",
      url_env: "VIGIL_SECRET_ORDERS_DB_URL",
      query: "select 1",
      params: {},
      timeout_seconds: 30,
      max_rows: 1_000_000,
    });
    expect(
      DataSourceSchema.parse({
        type: "http",
        url: "https://api.example.com/orders?since={start}",
      }),
    ).toEqual({
      type: "http",
      url: "https://api.example.com/orders?since={start}",
      method: "GET",
      headers: {},
      max_pages: 100,
      timeout_seconds: 30,
      max_rows: 1_000_000,
      max_response_bytes: 50 * 1024 * 1024,
      allow_private_network: false,
    });
    expect(DataSourceSchema.parse({ type: "manual" })).toEqual({
      type: "manual",
    });
  });

  it("refuses a query that uses a :param the source does not define, naming it and what is defined", () => {
    const sql = (query: string, params: Record<string, string> = {}) => ({
      type: "sql",
      driver: "postgres",
      url_env: "VIGIL_SECRET_ORDERS_DB_URL",
      query,
      params,
    });
    expect(
      issues(
        sql(
          "select * from orders where created_at >= :start and status = :stauts",
          {
            status: "paid",
          },
        ),
      ),
    ).toEqual([
      "query: the query uses :stauts but no parameter of that name is defined (params has: status, start, end)",
    ]);
    // casts, strings and comments are not parameters; the window's names always are
    expect(
      issues(
        sql(
          "select ':x', id::text from orders -- :y\nwhere created_at < :end and status = :status;",
          { status: "paid" },
        ),
      ),
    ).toEqual([]);
  });

  it("rejects unknown keys at every level instead of ignoring them", () => {
    expect(issues({ type: "manual", extra: 1 })).toEqual([
      ': Unrecognized key: "extra"',
    ]);
    expect(
      issues({
        type: "http",
        url: "https://x.example",
        auth: { type: "bearer", token_env: "VIGIL_SECRET_T", token: "plain" },
      }),
    ).toHaveLength(1);
  });

  it("rejects plain-text credentials: in the URL or in an Authorization header", () => {
    expect(issues({ type: "http", url: "https://u:p@x.example" })).toEqual([
      "url: credentials in the URL are not allowed: use auth",
    ]);
    expect(
      issues({
        type: "http",
        url: "https://x.example",
        headers: { Authorization: "Bearer x" },
      }),
    ).toEqual([
      "headers.Authorization: Authorization carries credentials: use auth with an _env reference",
    ]);
  });

  it.each([
    [
      "url_env",
      {
        type: "sql",
        driver: "postgres",
        url_env: "DATABASE_URL",
        query: "select 1",
      },
    ],
    [
      "auth.token_env",
      {
        type: "http",
        url: "https://x.example",
        auth: { type: "bearer", token_env: "API_TOKENS" },
      },
    ],
    [
      "auth.password_env",
      {
        type: "http",
        url: "https://x.example",
        auth: {
          type: "basic",
          username_env: "VIGIL_SECRET_U",
          password_env: "REPORT_SIGNING_SECRET",
        },
      },
    ],
    [
      "url_env",
      {
        type: "sql",
        driver: "postgres",
        url_env: "VIGIL_SECRET_../../etc/passwd",
        query: "select 1",
      },
    ],
  ])("refuses a %s that is not a VIGIL_SECRET_ name", (field, source) => {
    const [issue] = issues(source);
    expect(issue).toMatch(
      new RegExp(
        `^${field.replace(".", "\\.")}: must name a secret made available to projects: VIGIL_SECRET_<NAME>`,
      ),
    );
  });

  it("explains the cross-field rules", () => {
    expect(
      issues({
        type: "sql",
        driver: "mysql",
        url_env: "db_url",
        query: "select :start",
        params: { end: 1 },
      }),
    ).toEqual([
      "url_env: must name a secret made available to projects: VIGIL_SECRET_<NAME> (A-Z, 0-9, _), an executor environment variable or a file in its SECRETS_DIR; the executor's own settings such as DATABASE_URL are never readable",
      "params.end: :end is the execution window and cannot be set in params",
    ]);
    expect(issues({ type: "http", url: "ftp://x.example", body: {} })).toEqual([
      "url: must be an http(s) URL",
      "body: body is only allowed with method POST",
    ]);
    expect(
      issues({
        type: "http",
        url: "https://x.example",
        auth: {
          type: "api_key",
          value_env: "VIGIL_SECRET_K",
          header: "X-K",
          query: "k",
        },
      }),
    ).toEqual(["auth: api_key auth takes either header or query, not both"]);
    expect(
      issues({
        type: "http",
        url: "https://x.example",
        pagination: { type: "page", param: "p", size: 10 },
      }),
    ).toEqual(["pagination: size_param and size go together"]);
  });
});
