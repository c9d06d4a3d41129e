import { writeFile } from "node:fs/promises";
import path from "node:path";

import { insertDataset, type Db } from "@vigil/db";
import { dbTest } from "@vigil/db/testing";
import { sql } from "kysely";
import { expect } from "vitest";

import { runCli, runCliOn, yamlFile } from "./run-cli.js";

// one rule that throws on its third line, one honest rule
const FILE = `
id: stock-check
name: Stock check
config:
  data_source: { type: manual, key: sku }
schedules:
  - { cron_expression: "*/5 * * * *", timezone: UTC }
rules:
  - rule_id: no-stock
    severity: high
    code: |
      export function detect(rows) {
        return rows.filter((r) => Number(r.stock) === 0).map((r) => ({ key: r.sku, message: "out of stock: " + r.sku }));
      }
  - rule_id: broken
    code: |
      export function detect(rows) {
        const first = rows[0];
        return first.nope.deeper;
      }
`;

const ROWS = [
  { sku: "A-1", stock: 0 },
  { sku: "B-2", stock: 5 },
  { sku: "C-3", stock: 0 },
];

/** Rows of every table in the public schema, to show a local run writes nothing. */
async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(
    db,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const r = await sql<{
      n: string;
    }>`select count(*) as n from ${sql.table(table_name)}`.execute(db);
    counts[table_name] = Number(r.rows[0]?.n);
  }
  return counts;
}

const applyProject = async (url: string) => {
  const applied = await runCliOn(["apply", "-f", await yamlFile(FILE)], url);
  expect(applied.code, applied.stderr).toBe(0);
};

dbTest(
  "run --local --rows (JSON and CSV) prints each rule's status and the findings, names the failed rule with its line and column, exits 1 and writes nothing",
  async ({ db, testDatabase }) => {
    await applyProject(testDatabase.url);
    const dir = path.dirname(await yamlFile(""));
    const json = path.join(dir, "rows.json");
    await writeFile(json, JSON.stringify({ rows: ROWS }));
    const csv = path.join(dir, "rows.csv");
    await writeFile(
      csv,
      `sku,stock\n${ROWS.map((r) => `${r.sku},${r.stock}`).join("\n")}\n`,
    );
    const before = await rowCounts(db);
    for (const file of [json, csv]) {
      const r = await runCliOn(
        ["run", "stock-check", "--local", "--rows", file],
        testDatabase.url,
      );
      expect(r.code, `${file}: ${r.stderr}`).toBe(1);
      const lines = r.stdout.split("\n");
      expect(lines[0]).toMatch(
        new RegExp(
          `^rows: ${file.replace(/[.]/g, "\\.")}, window .*, 3 row\\(s\\)$`,
        ),
      );
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^RULE\s+STATUS\s+MS\s+FINDINGS\s+ERROR$/),
          expect.stringMatching(/^no-stock\s+ok\s+\d+\s+2$/),
          expect.stringMatching(
            /^broken\s+error\s+\d+\s+0\s+Cannot read properties of undefined \(reading 'deeper'\)$/,
          ),
          expect.stringMatching(/^RULE\s+SEVERITY\s+KEY\s+MESSAGE$/),
          expect.stringMatching(/^no-stock\s+high\s+A-1\s+out of stock: A-1$/),
          expect.stringMatching(/^no-stock\s+high\s+C-3\s+out of stock: C-3$/),
        ]),
      );
      expect(r.stderr).toContain(
        "rule broken failed: Cannot read properties of undefined (reading 'deeper') (line 3, column 21)",
      );
    }
    expect(await rowCounts(db)).toEqual(before);
  },
);

dbTest(
  "run --local without --rows reads the project's uploaded dataset; bad input is refused by name",
  async ({ db, testDatabase }) => {
    await applyProject(testDatabase.url);
    const missing = await runCliOn(
      ["run", "stock-check", "--local"],
      testDatabase.url,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no dataset has been uploaded");

    await insertDataset(db, {
      projectId: "stock-check",
      format: "json",
      filename: "stock.json",
      rows: [{ sku: "Z-9", stock: 0 }],
      sizeBytes: 30,
      sha256: "0".repeat(64),
      uploadedBy: "test",
    });
    const before = await rowCounts(db);
    const r = await runCliOn(
      ["run", "stock-check", "--local"],
      testDatabase.url,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("rows: the latest uploaded dataset, window");
    expect(r.stdout).toMatch(/^no-stock\s+high\s+Z-9\s+out of stock: Z-9$/m);
    expect(await rowCounts(db)).toEqual(before);

    const noFile = await runCliOn(
      ["run", "stock-check", "--local", "--rows", "/nonexistent/rows.json"],
      testDatabase.url,
    );
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain("--rows /nonexistent/rows.json: ENOENT");
    const bad = await yamlFile('[{"sku": "A"}, 3]');
    const notRows = await runCliOn(
      ["run", "stock-check", "--local", "--rows", bad],
      testDatabase.url,
    );
    expect(notRows.code).toBe(1);
    expect(notRows.stderr).toContain(
      `--rows ${bad}: expected a JSON array of row objects`,
    );
    const unknown = await runCliOn(
      ["run", "nope", "--local"],
      testDatabase.url,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no project "nope"');
    const rowsAlone = await runCliOn(
      ["run", "stock-check", "--rows", bad],
      testDatabase.url,
    );
    expect(rowsAlone.code).toBe(2);
    expect(rowsAlone.stderr).toContain("run --rows FILE needs --local");
  },
);

dbTest(
  "run --local reads a SQL source for the window of a run started now, with the secret from the environment, and exits 0 when every rule ran",
  async ({ db, testDatabase }) => {
    await sql`create table local_stock (sku text, stock int, updated_at timestamptz)`.execute(
      db,
    );
    // one row inside the default one-hour lookback, one a day old that the window leaves out
    await sql`insert into local_stock values
      ('IN-1', 0, now() - interval '10 minutes'),
      ('OLD-1', 0, now() - interval '1 day')`.execute(db);
    const project = `
id: sql-stock
name: SQL stock
config:
  data_source: { type: sql, driver: postgres, url_env: VIGIL_SECRET_STOCK_DB_URL, query: "select sku, stock from local_stock where updated_at >= :start and updated_at < :end", key: sku }
rules:
  - rule_id: no-stock
    code: "export const detect = (rows) => rows.filter((r) => r.stock === 0).map((r) => ({ key: r.sku, message: 'empty' }));"
`;
    const applied = await runCliOn(
      ["apply", "-f", await yamlFile(project)],
      testDatabase.url,
    );
    expect(applied.code, applied.stderr).toBe(0);

    const noSecret = await runCliOn(
      ["run", "sql-stock", "--local"],
      testDatabase.url,
    );
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain(
      "the secret VIGIL_SECRET_STOCK_DB_URL is not available",
    );

    const before = await rowCounts(db);
    const r = await runCli(["run", "sql-stock", "--local"], {
      DATABASE_URL: testDatabase.url,
      VIGIL_SECRET_STOCK_DB_URL: testDatabase.url,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("rows: postgres source, window");
    expect(r.stdout).toContain("1 row(s)");
    expect(r.stdout).toMatch(/^no-stock\s+ok\s+\d+\s+1$/m);
    expect(r.stdout).toMatch(/^no-stock\s+medium\s+IN-1\s+empty$/m);
    expect(r.stdout).not.toContain("OLD-1");
    expect(r.stderr).toBe("");
    expect(await rowCounts(db)).toEqual(before);
  },
);

dbTest(
  "run --local keeps a rule's first max_findings_per_rule findings and says how many it dropped",
  async ({ testDatabase }) => {
    const capped = FILE.replace(
      "data_source: { type: manual, key: sku }",
      "data_source: { type: manual, key: sku }\n  max_findings_per_rule: 1",
    );
    const applied = await runCliOn(
      ["apply", "-f", await yamlFile(capped)],
      testDatabase.url,
    );
    expect(applied.code, applied.stderr).toBe(0);
    const rows = path.join(path.dirname(await yamlFile("")), "rows.json");
    await writeFile(rows, JSON.stringify(ROWS));
    const r = await runCliOn(
      ["run", "stock-check", "--local", "--rows", rows],
      testDatabase.url,
    );
    expect(r.stdout).toMatch(/^no-stock\s+ok\s+\d+\s+1 \(\+1 dropped\)$/m);
    expect(r.stdout).toMatch(/^no-stock\s+high\s+A-1\s+out of stock: A-1$/m);
    expect(r.stdout).not.toContain("C-3");
    expect(r.stderr).toContain(
      "rule no-stock returned 2 findings; the first 1 (max_findings_per_rule) are kept, a run would resolve none of its discrepancies",
    );
  },
);
