import { dbTest } from "@vigil/db/testing";
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
      "6 change(s) in 1 of 1 project(s)",
    ]);

    const bad = await plan(FILE.replace("*/5 * * * *", "61 * * * *"));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("stock-check: schedules.0.cron_expression");
  },
);
