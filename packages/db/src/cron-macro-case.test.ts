import { readFile } from "node:fs/promises";
import path from "node:path";

import { sql } from "kysely";
import { expect } from "vitest";

import { DEFAULT_MIGRATIONS_DIR } from "./migrate.js";
import { dbTest, insertProject, insertSchedule } from "./testing/index.js";

dbTest(
  "0018 lowers stored cron macros written in another case, and touches nothing else",
  async ({ db }) => {
    const p = await insertProject(db);
    const rows = [];
    for (const cron of [
      "@Daily",
      "@HOURLY",
      "@daily",
      "0 12 * * MON",
      "@Weekly",
    ]) {
      rows.push(await insertSchedule(db, p.id, { cron }));
    }
    const fix = await readFile(
      path.join(DEFAULT_MIGRATIONS_DIR, "0018_cron_macro_case.sql"),
      "utf8",
    );
    await sql.raw(fix).execute(db);
    const after = await db
      .selectFrom("schedules")
      .select(["id", "cron_expression"])
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .orderBy("id")
      .execute();
    expect(after.map((r) => r.cron_expression)).toEqual([
      "@daily",
      "@hourly",
      "@daily",
      "0 12 * * MON",
      "@weekly",
    ]);
  },
);
