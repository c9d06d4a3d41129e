import { dbTest } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { runCli as vigil, yamlFile } from "./run-cli.js";

const GOOD = `
id: inventory-check
name: Inventory check
config:
  data_source: { type: sql, driver: postgres, url_env: VIGIL_SECRET_INVENTORY_DB_URL, query: "select sku, stock from inventory where updated_at < :end" }
  lookback: P1D
schedules:
  - { cron_expression: "*/5 * * * *", timezone: Europe/Berlin }
rules:
  - rule_id: no-stock
    code: |
      export function detect(rows) { return rows.filter((r) => r.stock === 0).map((r) => ({ key: r.sku, message: "out of stock" })); }
`;

const BAD_SCHEDULE_AND_RULE = `
id: broken
name: Broken
config: { data_source: { type: manual } }
schedules:
  - { cron_expression: "61 * * * *", timezone: UTC }
rules:
  - { rule_id: r1, code: "export function detect(rows) { return rows.map((r) => ) }" }
`;

describe("vigil validate and apply", () => {
  dbTest(
    "validate reports each problem with its path and exit code 1, touching nothing",
    async () => {
      const res = await vigil([
        "validate",
        "-f",
        await yamlFile(BAD_SCHEDULE_AND_RULE),
      ]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(
        "broken: schedules.0.cron_expression: minute field",
      );
      expect(res.stderr).toMatch(
        /broken: rules\.0\.code: .*syntax error.*\(line 1/,
      );
    },
  );

  dbTest(
    "validate refuses a query that uses a :param the project does not define",
    async () => {
      const res = await vigil([
        "validate",
        "-f",
        await yamlFile(GOOD.replace("< :end", "< :ends")),
      ]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(
        "inventory-check: config.data_source.query: the query uses :ends but no parameter of that name is defined (params has: start, end)",
      );
    },
  );

  dbTest(
    "validate and apply refuse a *_env naming the executor's own settings, writing nothing",
    async ({ db, testDatabase }) => {
      const f = await yamlFile(
        GOOD.replace("VIGIL_SECRET_INVENTORY_DB_URL", "DATABASE_URL"),
      );
      for (const command of ["validate", "apply"]) {
        const res = await vigil([command, "-f", f], {
          DATABASE_URL: testDatabase.url,
        });
        expect(res.code, res.stderr).toBe(1);
        expect(res.stderr).toContain(
          "inventory-check: config.data_source.url_env: must name a secret made available to projects: VIGIL_SECRET_<NAME>",
        );
      }
      const stored = await db
        .selectFrom("projects")
        .select("id")
        .where("id", "=", "inventory-check")
        .executeTakeFirst();
      expect(stored).toBeUndefined();
    },
  );

  dbTest(
    "a file holds several projects: --- documents, a projects: list, or both",
    async ({ db, testDatabase }) => {
      // ids of their own: the test file's tests share one database
      const named = (id: string) =>
        GOOD.replace("id: inventory-check", `id: ${id}`);
      const listed = `projects:\n${[named("multi-us"), named("multi-apac")]
        .map((doc) =>
          doc
            .trim()
            .split("\n")
            .map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`))
            .join("\n"),
        )
        .join("\n")}\n`;
      const f = await yamlFile(
        `${named("multi-de")}---${named("multi-eu")}---\n${listed}`,
      );
      const checked = await vigil(["validate", "-f", f]);
      expect(checked.code, checked.stderr).toBe(0);
      const applied = await vigil(["apply", "-f", f], {
        DATABASE_URL: testDatabase.url,
      });
      expect(applied.code, applied.stderr).toBe(0);
      const ids = await db
        .selectFrom("projects")
        .select("id")
        .where("id", "like", "multi-%")
        .orderBy("id")
        .execute();
      expect(ids.map((row) => row.id)).toEqual([
        "multi-apac",
        "multi-de",
        "multi-eu",
        "multi-us",
      ]);
    },
  );

  dbTest(
    "apply writes the project, and applying it again changes nothing",
    async ({ db, testDatabase }) => {
      const f = await yamlFile(GOOD);
      const first = await vigil(["apply", "-f", f], {
        DATABASE_URL: testDatabase.url,
      });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain("inventory-check: created");
      const schedule = await db
        .selectFrom("schedules")
        .selectAll()
        .where("project_id", "=", "inventory-check")
        .executeTakeFirstOrThrow();
      const second = await vigil(["apply", "-f", f], {
        DATABASE_URL: testDatabase.url,
      });
      expect(second.stdout).toContain("schedules kept 1, added 0, removed 0");
      const again = await db
        .selectFrom("schedules")
        .selectAll()
        .where("project_id", "=", "inventory-check")
        .execute();
      expect(again.map((s) => s.id)).toEqual([schedule.id]);
    },
  );

  dbTest("a bad file applies nothing", async ({ db, testDatabase }) => {
    const res = await vigil(
      ["apply", "-f", await yamlFile(BAD_SCHEDULE_AND_RULE)],
      { DATABASE_URL: testDatabase.url },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("nothing was applied");
    expect(
      await db
        .selectFrom("projects")
        .select("id")
        .where("id", "=", "broken")
        .execute(),
    ).toEqual([]);
  });
});
