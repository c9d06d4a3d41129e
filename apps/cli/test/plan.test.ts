import { createHash } from "node:crypto";

import { insertDataset } from "@vigil/db";
import { dbTest, insertDiscrepancy } from "@vigil/db/testing";
import { expect } from "vitest";

import { runCliOn, yamlFile } from "./run-cli.js";

const FILE = `
id: stock-check
name: Stock check
config:
  data_source: { type: manual }
  report: { mode: on_change }
schedules:
  - { cron_expression: "*/5 * * * *", timezone: Europe/Berlin }
rules:
  - rule_id: no-stock
    severity: high
    code: |
      export function detect(rows) {
        return rows.filter((r) => r.stock === 0).map((r) => ({ key: r.sku, message: "out of stock" }));
      }
  - rule_id: negative
    code: "export const detect = (rows) => rows.filter((r) => r.stock < 0).map((r) => ({ key: r.sku, message: 'negative' }));"
`;

dbTest(
  "plan shows what apply would change and changes nothing: exit 2 with changes, 0 once applied, 1 for a bad file",
  async ({ db, testDatabase }) => {
    const plan = async (text: string) =>
      runCliOn(["plan", "-f", await yamlFile(text)], testDatabase.url);

    const fresh = await plan(FILE);
    expect(fresh.code, fresh.stderr).toBe(2);
    expect(fresh.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "+ project stock-check",
        '+ stock-check: schedule "*/5 * * * *" Europe/Berlin (forbid, run_once)',
        "+ stock-check: rule no-stock",
        "+ stock-check: rule negative",
      ]),
    );
    expect(await db.selectFrom("projects").select("id").execute()).toEqual([]);

    const applied = await runCliOn(
      ["apply", "-f", await yamlFile(FILE)],
      testDatabase.url,
    );
    expect(applied.code, applied.stderr).toBe(0);
    const same = await plan(FILE);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout).toContain("no changes (1 project(s))");

    const edited = FILE.replace("mode: on_change", "mode: always")
      .replace("*/5 * * * *", "*/10 * * * *")
      .replace("r.stock === 0", "r.stock <= 0")
      .replace("severity: high", "severity: critical")
      .replace(/  - rule_id: negative\n.*\n/, "");
    const changed = await plan(edited);
    expect(changed.code, changed.stderr).toBe(2);
    expect(changed.stdout.split("\n").filter(Boolean)).toEqual([
      "~ stock-check: config.report.mode",
      '- stock-check: schedule "*/5 * * * *" Europe/Berlin (forbid, run_once)',
      '+ stock-check: schedule "*/10 * * * *" Europe/Berlin (forbid, run_once)',
      '~ stock-check: rule no-stock: severity: "high" -> "critical"',
      "~ stock-check: rule no-stock: code (+1 -1 lines)",
      "- stock-check: rule negative",
      "dry run stock-check: skipped, no dataset uploaded to run on",
      "6 change(s) in 1 of 1 project(s)",
    ]);

    const bad = await plan(FILE.replace("*/5 * * * *", "61 * * * *"));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("stock-check: schedules.0.cron_expression");
  },
);

const DRY_FILE = `
id: stock-dry
name: Stock dry run
config:
  data_source: { type: manual, key: sku }
schedules: []
rules:
  - rule_id: no-stock
    code: |
      export function detect(rows) {
        return rows.filter((r) => r.stock === 0).map((r) => ({ key: r.sku, message: "out of stock" }));
      }
`;

dbTest(
  "plan prints the dry-run plan of a changed project against its stored discrepancies and changes none; a rule that throws makes exit 1 with its line",
  async ({ db, testDatabase }) => {
    const applied = await runCliOn(
      ["apply", "-f", await yamlFile(DRY_FILE)],
      testDatabase.url,
    );
    expect(applied.code, applied.stderr).toBe(0);
    await insertDataset(db, {
      projectId: "stock-dry",
      format: "json",
      filename: null,
      rows: [
        { sku: "a", stock: 0 },
        { sku: "b", stock: 5 },
        { sku: "c", stock: 0 },
      ],
      sizeBytes: 60,
      sha256: "0".repeat(64),
      uploadedBy: "test",
    });
    await insertDiscrepancy(db, "stock-dry", {
      fingerprint: createHash("sha256").update("no-stock\0b").digest("hex"),
      rule_id: "no-stock",
      finding_key: "b",
      row_key: "b",
    });
    const state = await db.selectFrom("discrepancies").selectAll().execute();

    const edited = DRY_FILE.replace("r.stock === 0", "r.stock <= 0");
    const plan = await runCliOn(
      ["plan", "-f", await yamlFile(edited)],
      testDatabase.url,
    );
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout.split("\n").filter(Boolean)).toEqual([
      "~ stock-dry: rule no-stock: code (+1 -1 lines)",
      "dry run stock-dry: success, 3 row(s), 2 finding(s)",
      "  would open: 2 (no-stock/a, no-stock/c)",
      "  would reopen: 0",
      "  would resolve: 1 (no-stock/b)",
      "  unchanged: 0",
      "1 change(s) in 1 of 1 project(s)",
    ]);
    expect(await db.selectFrom("discrepancies").selectAll().execute()).toEqual(
      state,
    );
    const diffOnly = await runCliOn(
      ["plan", "-f", await yamlFile(edited), "--no-dry-run"],
      testDatabase.url,
    );
    expect(diffOnly.code, diffOnly.stderr).toBe(2);
    expect(diffOnly.stdout).not.toContain("dry run");

    const throwing = DRY_FILE.replace(
      "return rows.filter",
      "if (rows.length > 0) throw new Error('no');\n        return rows.filter",
    );
    const failed = await runCliOn(
      ["plan", "-f", await yamlFile(throwing)],
      testDatabase.url,
    );
    expect(failed.code, failed.stdout).toBe(1);
    expect(failed.stderr).toContain(
      "dry run stock-dry: failed, 3 row(s), 0 finding(s)",
    );
    expect(failed.stderr).toMatch(
      /rule no-stock failed: .*no \(line 2, column \d+\)/,
    );
  },
);
