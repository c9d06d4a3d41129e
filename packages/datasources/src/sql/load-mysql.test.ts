import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";

import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createSqlLoader, waitUntil } from "./sql-test-harness.js";

const DB_URL = "mysql://root@127.0.0.1:3306/test";
const table = `ds_orders_${randomBytes(4).toString("hex")}`;

/** The machine's MariaDB is optional: its tests are skipped (and say so) when it is not there. */
async function probeMariaDb(): Promise<boolean> {
  try {
    const c = await mysql.createConnection({
      uri: DB_URL,
      connectTimeout: 2000,
    });
    await c.end();
    return true;
  } catch {
    return false;
  }
}
const reachable = await probeMariaDb();
const title = (test: string) =>
  reachable
    ? test
    : `SKIPPED on this host (no MariaDB/MySQL at 127.0.0.1:3306): ${test}`;

async function sql(statement: string): Promise<unknown> {
  const c = await mysql.createConnection({ uri: DB_URL, timezone: "Z" });
  try {
    const [rows] = await c.query(statement);
    return rows;
  } finally {
    await c.end();
  }
}

const { load, cleanup } = await createSqlLoader("mysql", DB_URL);
afterAll(cleanup);

describe.skipIf(!reachable)(
  `mysql data source (needs MariaDB/MySQL at 127.0.0.1:3306: ${reachable ? "reachable" : "UNREACHABLE, skipped"})`,
  () => {
    beforeAll(async () => {
      await sql(
        `CREATE TABLE ${table} (id BIGINT PRIMARY KEY, total DECIMAL(12,2), big BIGINT, created_at DATETIME(3), day DATE, note TEXT)`,
      );
      await sql(`INSERT INTO ${table} VALUES
      (1, 10.50, 9007199254740993, '2026-11-22 10:15:00', '2026-11-22', 'it''s :start'),
      (2, 99.99, 5, '2026-11-22 10:45:00', '2026-11-22', NULL),
      (3, 1.00, 6, '2026-11-22 11:00:00', '2026-11-22', 'outside')`);
    });

    afterAll(async () => {
      await sql(`DROP TABLE IF EXISTS ${table}`);
    });

    it(
      title(
        "loads the rows of the window with :start/:end and a named param, with JSON-friendly values",
      ),
      async () => {
        const { result, rows } = await load(
          `select id, total, big, created_at, day, note from ${table} where created_at >= :start and created_at < :end and total > :min order by id;`,
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
            note: "it's :start",
          },
          {
            id: 2,
            total: 99.99,
            big: 5,
            created_at: "2026-11-22T10:45:00.000Z",
            day: "2026-11-22",
            note: null,
          },
        ]);
      },
    );

    it(title("streams many rows"), async () => {
      const { result, rows } = await load(
        "select seq as n from seq_1_to_12000",
      );
      expect(result).toMatchObject({ ok: true, rowCount: 12000 });
      expect(rows?.at(-1)).toEqual({ n: 12000 });
    });

    it(
      title(
        "fails with too_many_rows past max_rows and removes the partial file",
      ),
      async () => {
        const { result, outFile } = await load(
          "select seq from seq_1_to_2500",
          {
            max_rows: 2000,
          },
        );
        expect(result).toMatchObject({ ok: false, code: "too_many_rows" });
        await expect(stat(outFile)).rejects.toThrow(/ENOENT/);
      },
    );

    it(
      title(
        "runs read-only: a write fails and a smuggled second statement is refused",
      ),
      async () => {
        await expect(
          load(`update ${table} set note = 'x'`),
        ).resolves.toMatchObject({
          result: {
            ok: false,
            code: "query",
            message: expect.stringMatching(/read-only transaction/) as unknown,
          },
        });
        await expect(
          load(`select 1; delete from ${table}`),
        ).resolves.toMatchObject({ result: { ok: false, code: "query" } });
        expect(
          await sql(`select count(*) as n from ${table} where note = 'x'`),
        ).toEqual([{ n: 0 }]);
        expect(await sql(`select count(*) as n from ${table}`)).toEqual([
          { n: 3 },
        ]);
      },
    );

    it(title("stops a slow query at timeout_seconds"), async () => {
      const started = Date.now();
      const { result } = await load("select sleep(10) as s from seq_1_to_3", {
        timeout_seconds: 1,
      });
      expect(result).toMatchObject({
        ok: false,
        code: "timeout",
        message: expect.stringMatching(/statement timeout/) as unknown,
      });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it(
      title(
        "stops a running query as cancelled when the signal aborts, and kills it on the server",
      ),
      async () => {
        const controller = new AbortController();
        const marker = `vigil_cancel_${randomBytes(3).toString("hex")}`;
        const pending = load(
          `select sleep(10) as ${marker}`,
          {},
          undefined,
          controller.signal,
        );
        const running = async () =>
          (
            (await sql(
              `select id from information_schema.processlist where info like '%${marker}%' and info not like '%processlist%'`,
            )) as unknown[]
          ).length;
        await waitUntil(async () => (await running()) === 1);
        controller.abort();
        await expect(pending).resolves.toMatchObject({
          result: { ok: false, code: "cancelled" },
        });
        await waitUntil(async () => (await running()) === 0);
      },
    );

    it(
      title(
        "reports a syntax error, an undefined :name and a missing secret clearly",
      ),
      async () => {
        await expect(load("selec 1")).resolves.toMatchObject({
          result: {
            ok: false,
            code: "query",
            message: expect.stringMatching(/ER_PARSE_ERROR/) as unknown,
          },
        });
        await expect(load("select :nope")).resolves.toMatchObject({
          result: {
            ok: false,
            code: "config",
            message: expect.stringMatching(/:nope/) as unknown,
          },
        });
        await expect(load("select 1", {}, {})).resolves.toMatchObject({
          result: {
            ok: false,
            code: "secret_missing",
            message: expect.stringMatching(/DB_URL/) as unknown,
          },
        });
      },
    );

    it(title("reports a refused login without the password"), async () => {
      const { result } = await load(
        "select 1",
        { timeout_seconds: 5 },
        {
          VIGIL_SECRET_DB_URL:
            "mysql://nobody:S3cret-Pa55word@127.0.0.1:3306/test",
        },
      );
      expect(result).toMatchObject({ ok: false, code: "connect" });
      expect(JSON.stringify(result)).not.toContain("S3cret-Pa55word");
    });
  },
);
