import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { createSqlLoader, waitUntil } from "./sql-test-harness.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

const database = `ds_pg_${randomBytes(4).toString("hex")}`;
const adminUrl = inject("databaseUrl");
const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};
const dbUrl = withDatabase(adminUrl, database);

async function admin<T>(
  fn: (c: pg.Client) => Promise<T>,
  url = adminUrl,
): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  await admin(async (c) => {
    await c.query(
      `CREATE TABLE orders (id bigint primary key, total numeric(12,2), big bigint, created_at timestamptz, day date, local_ts timestamp, note text, raw bytea)`,
    );
    await c.query(`INSERT INTO orders VALUES
      (1, 10.50, 9007199254740993, '2026-11-22T10:15:00Z', '2026-11-22', '2026-11-22 10:15:00', 'it''s :start', '\\x0102'),
      (2, 99.99, 5, '2026-11-22T10:45:00Z', '2026-11-22', '2026-11-22 10:45:00', null, null),
      (3, 1.00, 6, '2026-11-22T11:00:00Z', '2026-11-22', '2026-11-22 11:00:00', 'outside', null)`);
  }, dbUrl);
});

afterAll(async () => {
  await admin((c) =>
    c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  );
});

const { load, cleanup } = await createSqlLoader("postgres", dbUrl);
afterAll(cleanup);

describe("postgres data source", () => {
  it("loads the rows of the window with :start/:end and a named param, as NDJSON with JSON-friendly values", async () => {
    const { result, rows, outFile } = await load(
      "select id, total, big, created_at, day, local_ts, note, raw from orders where created_at >= :start and created_at < :end and total > :min order by id;",
      { params: { min: 5 } },
    );
    expect(result).toMatchObject({ ok: true, rowCount: 2 });
    expect(rows).toEqual([
      {
        id: 1,
        total: 10.5,
        big: "9007199254740993",
        created_at: "2026-11-22T10:15:00.000Z",
        day: "2026-11-22",
        local_ts: "2026-11-22T10:15:00.000Z",
        note: "it's :start",
        raw: "AQI=",
      },
      {
        id: 2,
        total: 99.99,
        big: 5,
        created_at: "2026-11-22T10:45:00.000Z",
        day: "2026-11-22",
        local_ts: "2026-11-22T10:45:00.000Z",
        note: null,
        raw: null,
      },
    ]);
    expect(result.ok && result.bytes).toBe((await stat(outFile)).size);
  });

  it("writes every typed value exactly as the replacer did: bigint, numeric, dates, bytea, arrays, json", async () => {
    const { result, outFile } = await load(
      `select 9223372036854775807::bigint as int8_max, (-9007199254740991)::bigint as int8_safe,
         123456789012345::numeric as n15, 1234567890123456::numeric as n16,
         12345678901234.5::numeric as n15_dot, (-0.000000000000001)::numeric as n_tiny,
         'NaN'::numeric as n_nan, 0.10::numeric(4,2) as n_scale, 7::int4 as int4, 1.5::float8 as float8,
         date '2026-02-28' as day, timestamp '2026-11-22 10:15:00.123456' as local_ts,
         timestamptz '2026-11-22 10:15:00+02' as at, '\\x00ff'::bytea as raw, ''::bytea as empty,
         array['\\x0102'::bytea, null] as raws, array[1, 2]::int8[] as int8s,
         '{"a": [1, {"b": null}], "big": 12345678901234567890}'::jsonb as doc,
         '[1, "two"]'::json as list, 'café ☕ "q"' as note, true as flag, null::text as nothing`,
    );
    expect(result).toMatchObject({ ok: true, rowCount: 1 });
    expect(await readFile(outFile, "utf8")).toBe(
      JSON.stringify({
        int8_max: "9223372036854775807",
        int8_safe: "-9007199254740991",
        n15: 123456789012345,
        n16: "1234567890123456",
        n15_dot: 12345678901234.5,
        n_tiny: -1e-15,
        n_nan: "NaN",
        n_scale: 0.1,
        int4: 7,
        float8: 1.5,
        day: "2026-02-28",
        local_ts: "2026-11-22T10:15:00.123Z",
        at: "2026-11-22T08:15:00.000Z",
        raw: "AP8=",
        empty: "",
        raws: ["AQI=", null],
        int8s: ["1", "2"],
        doc: { a: [1, { b: null }], big: 12345678901234567000 },
        list: [1, "two"],
        note: 'café ☕ "q"',
        flag: true,
        nothing: null,
      }) + "\n",
    );
  });

  it("streams many rows through the cursor in batches", async () => {
    const { result, rows } = await load(
      "select g as n from generate_series(1, 25000) g",
    );
    expect(result).toMatchObject({ ok: true, rowCount: 25000 });
    expect(rows?.at(-1)).toEqual({ n: 25000 });
  });

  it("fails with too_many_rows past max_rows and removes the partial file", async () => {
    const { result, outFile } = await load(
      "select g from generate_series(1, 2500) g",
      { max_rows: 2000 },
    );
    expect(result).toMatchObject({
      ok: false,
      code: "too_many_rows",
      message: expect.stringMatching(/max_rows=2000/) as unknown,
    });
    await expect(stat(outFile)).rejects.toThrow(/ENOENT/);
  });

  it("runs read-only: a locking read, a sequence bump and a smuggled second statement all fail and change nothing", async () => {
    await admin((c) => c.query("CREATE SEQUENCE IF NOT EXISTS seq"), dbUrl);
    await expect(
      load("select * from orders for update"),
    ).resolves.toMatchObject({
      result: {
        ok: false,
        code: "query",
        message: expect.stringMatching(/read-only transaction/) as unknown,
      },
    });
    await expect(load("select nextval('seq')")).resolves.toMatchObject({
      result: {
        ok: false,
        code: "query",
        message: expect.stringMatching(/read-only/) as unknown,
      },
    });
    await expect(
      load("select 1; commit; delete from orders"),
    ).resolves.toMatchObject({ result: { ok: false, code: "query" } });
    const count = await admin(
      (c) => c.query<{ n: string }>("select count(*) as n from orders"),
      dbUrl,
    );
    expect(count.rows[0]?.n).toBe("3");
  });

  it("stops a slow query at timeout_seconds", async () => {
    const started = Date.now();
    const { result } = await load("select pg_sleep(10)", {
      timeout_seconds: 1,
    });
    expect(result).toMatchObject({
      ok: false,
      code: "timeout",
      message: expect.stringMatching(/statement timeout/) as unknown,
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("stops a running query as cancelled when the signal aborts, and the server session goes away", async () => {
    const controller = new AbortController();
    const pending = load(
      "select pg_sleep(10)",
      {},
      undefined,
      controller.signal,
    );
    const sessions = async (state: string) =>
      (
        await admin((c) =>
          c.query(
            "select 1 from pg_stat_activity where application_name = 'vigil-datasource' and datname = $1 and state = $2",
            [database, state],
          ),
        )
      ).rowCount;
    await waitUntil(async () => (await sessions("active")) === 1);
    controller.abort();
    await expect(pending).resolves.toMatchObject({
      result: { ok: false, code: "cancelled" },
    });
    // The running statement is cancelled server-side, not left to run until statement_timeout.
    await waitUntil(async () => (await sessions("active")) === 0);
  });

  it("reports a syntax error as a query error with its position", async () => {
    await expect(load("selec 1")).resolves.toMatchObject({
      result: {
        ok: false,
        code: "query",
        message: expect.stringMatching(/\[42601\].*at character/) as unknown,
      },
    });
  });

  it("reports an undefined :name as a config error before connecting", async () => {
    await expect(load("select :missing", {}, {})).resolves.toMatchObject({
      result: { ok: false, code: "secret_missing" },
    });
    await expect(load("select :missing")).resolves.toMatchObject({
      result: {
        ok: false,
        code: "config",
        message: expect.stringMatching(/:missing/) as unknown,
      },
    });
  });

  it("reports a malformed connection URL as a config error naming the variable, without throwing", async () => {
    const { result } = await load(
      "select 1",
      {},
      { VIGIL_SECRET_DB_URL: "postgres://u@h:99999/db" },
    );
    expect(result).toMatchObject({
      ok: false,
      code: "config",
      message: expect.stringMatching(/DB_URL is not valid/) as unknown,
    });
  });

  it("reports a missing secret by name and a failed connection without the password", async () => {
    await expect(load("select 1", {}, {})).resolves.toMatchObject({
      result: {
        ok: false,
        code: "secret_missing",
        message: expect.stringMatching(/DB_URL/) as unknown,
      },
    });
    const secretUrl = "postgres://reader:S3cret-Pa55word@127.0.0.1:1/nodb";
    const { result } = await load(
      "select 1",
      { timeout_seconds: 5 },
      { VIGIL_SECRET_DB_URL: secretUrl },
    );
    expect(result).toMatchObject({ ok: false, code: "connect" });
    expect(JSON.stringify(result)).not.toContain("S3cret-Pa55word");
  });
});
