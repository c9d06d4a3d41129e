import { createDb } from "@vigil/db";
import { insertProject, dbTest } from "@vigil/db/testing";
import { sql } from "kysely";
import { describe, expect } from "vitest";

import { passAt } from "./helpers.js";

describe("two creators racing", () => {
  dbTest(
    "passes run at the same moment on separate pools make every run exactly once",
    async ({ db, testDatabase }) => {
      const p = await insertProject(db);
      const crons = ["* * * * *", "*/5 * * * *", "0 * * * *", "30 2 * * *"];
      await sql`
      insert into schedules (project_id, cron_expression, timezone, misfire_policy)
      select ${p.id}, (${crons}::text[])[1 + g % 4], (array['UTC','Europe/London','Asia/Kolkata'])[1 + g % 3], 'run_all'
      from generate_series(1, 400) g`.execute(db);
      const a = createDb({ connectionString: testDatabase.url, max: 2 });
      const b = createDb({ connectionString: testDatabase.url, max: 2 });
      try {
        let made = 0;
        // The same instants on both sides, so both plan identical rows and collide on every key.
        for (const now of [
          "2027-01-10T12:00:00Z",
          "2027-01-10T12:00:00Z",
          "2027-01-10T12:03:10Z",
          "2027-01-10T12:30:00Z",
        ]) {
          const [sa, sb] = await Promise.all([
            passAt(a.db, now, { batchSize: 50 }),
            passAt(b.db, now, { batchSize: 50 }),
          ]);
          made += sa.triggers + sb.triggers;
        }
        const { rows } = await sql<{ total: number; distinct_keys: number }>`
        select count(*)::int as total, count(distinct (schedule_id, fire_at))::int as distinct_keys
        from triggers t join schedules s on s.id = t.schedule_id where s.project_id = ${p.id}`.execute(
          db,
        );
        expect(rows[0]?.total).toBe(rows[0]?.distinct_keys);
        // Each row was written by exactly one of the two: no double insert and no pointless revive.
        expect(made).toBe(rows[0]?.total);
        expect(made).toBeGreaterThan(1000);
      } finally {
        await a.close();
        await b.close();
      }
    },
  );
});
