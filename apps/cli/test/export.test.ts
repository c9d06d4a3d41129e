import { dbTest } from "@vigil/db/testing";
import { expect } from "vitest";

import { runCliOn, yamlFile } from "./run-cli.js";

const PROJECTS = `
id: ledger-check
name: Ledger check
description: "Payments without a ledger line"
config:
  data_source: { type: sql, driver: postgres, url_env: VIGIL_SECRET_LEDGER_DB_URL, query: "select id, amount from payments where paid_at >= :start and paid_at < :end and amount > :min", params: { min: 10 }, key: id }
  lookback: PT6H
  report: { mode: on_findings }
schedules:
  - { cron_expression: "15 * * * *", timezone: Europe/Berlin, concurrency_policy: replace }
  - { cron_expression: "0 6 * * 1-5", timezone: America/New_York, is_active: false }
rules:
  - rule_id: no-ledger
    severity: high
    description: A payment the ledger does not know
    parameters: { tolerance: 0.01 }
    code: |
      // a comment: kept as written
      export function detect(rows, params) {
        return rows
          .filter((r) => Math.abs(r.amount) > params.tolerance)
          .map((r) => ({ key: String(r.id), message: \`payment \${r.id}\` }));
      }
---
id: second
name: Second
config: { data_source: { type: manual } }
rules:
  - { rule_id: r1, code: "export const detect = () => [];", is_active: false }
`;

dbTest(
  "export writes what apply takes: applying it changes nothing, and exporting again gives the same text",
  async ({ db, testDatabase }) => {
    const applied = await runCliOn(
      ["apply", "-f", await yamlFile(PROJECTS)],
      testDatabase.url,
    );
    expect(applied.code, applied.stderr).toBe(0);
    const state = () =>
      Promise.all([
        db.selectFrom("projects").selectAll().orderBy("id").execute(),
        db.selectFrom("schedules").selectAll().orderBy("id").execute(),
        db.selectFrom("rules").selectAll().orderBy("id").execute(),
      ]);

    const exported = await runCliOn(
      ["export", "ledger-check", "second"],
      testDatabase.url,
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain("// a comment: kept as written");
    expect(exported.stdout).toContain("\n---\n");
    const before = await state();
    const reapplied = await runCliOn(
      ["apply", "-f", await yamlFile(exported.stdout)],
      testDatabase.url,
    );
    expect(reapplied.code, reapplied.stderr).toBe(0);
    expect(reapplied.stdout).toContain(
      "ledger-check: updated; rules 1 (removed 0); schedules kept 2, added 0, removed 0",
    );
    const after = await state();
    const timeless = (rows: Record<string, unknown>[]) =>
      rows.map(({ updated_at: _u, version: _v, ...r }) => r);
    expect(after.map(timeless)).toEqual(before.map(timeless));

    const again = await runCliOn(
      ["export", "ledger-check", "second"],
      testDatabase.url,
    );
    expect(again.stdout).toBe(exported.stdout);

    const missing = await runCliOn(["export", "nope"], testDatabase.url);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no project "nope"');
  },
);
