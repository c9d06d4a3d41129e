import { sql } from "kysely";
import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import { createProject, runOnce } from "./fixtures/hostile/harness.js";
import { killStartedExecutors, makeWorkDir, startExecutor } from "./helpers.js";

// A discrepancy resolves only from evidence: the run read its row (data_source.key) and no rule
// flagged it. A row that left the window (a lookback change) or is younger than `settle` is not
// evidence of anything. Real executor, real SQL source (the test database itself).
afterAll(killStartedExecutors);

const SECRET = "VIGIL_SECRET_EVIDENCE_DB_URL";

const mismatchRule = {
  ruleId: "paid-matches-total",
  code: `export function detect(rows) {
  return rows
    .filter((o) => o.paid !== o.total)
    .map((o) => ({ key: o.order_id, message: \`order \${o.order_id}: paid \${o.paid} of \${o.total}\` }));
}`,
};

dbTest(
  "a lookback change resolves nothing whose row was not read, rows younger than settle are not flagged, and a row read again unflagged resolves",
  async ({ db, testDatabase }) => {
    await sql`CREATE SCHEMA ev`.execute(db);
    await sql`CREATE TABLE ev.orders (order_id text PRIMARY KEY, total numeric NOT NULL,
                                      paid numeric NOT NULL, created_at timestamptz NOT NULL)`.execute(
      db,
    );
    await sql`INSERT INTO ev.orders VALUES
      ('A', 100, 90, now() - interval '10 hours'),
      ('B', 50, 40, now() - interval '2 hours'),
      ('C', 20, 20, now() - interval '30 minutes'),
      ('D', 70, 0, now() - interval '1 minute')`.execute(db);
    const executor = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      [SECRET]: testDatabase.url,
      POLL_INTERVAL_MS: "200",
    });
    const config = (lookback: string) => ({
      data_source: {
        type: "sql",
        driver: "postgres",
        url_env: SECRET,
        query: `select order_id, total::text as total, paid::text as paid from ev.orders
                where created_at >= :start and created_at < :end order by order_id`,
        key: "order_id",
      },
      lookback,
      settle: "PT15M",
    });
    const projectId = await createProject(db, [mismatchRule], config("P1D"));
    const discrepancies = async () =>
      Object.fromEntries(
        (
          await db
            .selectFrom("discrepancies")
            .select([
              "finding_key",
              "status",
              "row_key",
              "not_evaluated_since",
              "resolved_execution_id",
            ])
            .where("project_id", "=", projectId)
            .execute()
        ).map((d) => [d.finding_key, d]),
      );

    const first = await runOnce(db, projectId, executor);
    expect(first.status, first.error_message ?? "").toBe("success");
    // D was created a minute ago: inside `settle`, out of the run
    expect(first.row_count).toBe(3);
    const afterFirst = await discrepancies();
    expect(Object.keys(afterFirst).sort()).toEqual(["A", "B"]);
    expect(afterFirst.A).toMatchObject({ status: "open", row_key: "A" });

    // the lookback shrinks to 5 hours: A (10 hours old) is no longer read, and is not resolved
    await db
      .updateTable("projects")
      .set({ config: JSON.stringify(config("PT5H")) })
      .where("id", "=", projectId)
      .execute();
    const second = await runOnce(db, projectId, executor);
    expect(second.status, second.error_message ?? "").toBe("success");
    expect(second.row_count).toBe(2);
    const afterSecond = await discrepancies();
    expect(afterSecond.A).toMatchObject({
      status: "open",
      resolved_execution_id: null,
    });
    expect(afterSecond.A?.not_evaluated_since).not.toBeNull();
    expect(afterSecond.B).toMatchObject({
      status: "open",
      not_evaluated_since: null,
    });

    // B is paid in full: the next run reads it, no rule flags it, and that is evidence
    await sql`UPDATE ev.orders SET paid = total WHERE order_id = 'B'`.execute(
      db,
    );
    const third = await runOnce(db, projectId, executor);
    expect(third.status, third.error_message ?? "").toBe("success");
    const afterThird = await discrepancies();
    expect(afterThird.B).toMatchObject({
      status: "resolved",
      resolved_execution_id: third.id,
    });
    expect(afterThird.A?.status).toBe("open");
    const events = await db
      .selectFrom("discrepancy_events")
      .select(["fingerprint", "change", "execution_id"])
      .where("project_id", "=", projectId)
      .orderBy("id")
      .execute();
    expect(events.map((e) => `${e.change}@${e.execution_id}`)).toEqual([
      `new@${first.id}`,
      `new@${first.id}`,
      `not_evaluated@${second.id}`,
      `resolved@${third.id}`,
    ]);
  },
  120_000,
);

dbTest(
  "a row without a usable data_source.key value fails the run with a message naming the row and field",
  async ({ db, testDatabase }) => {
    const executor = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      [SECRET]: testDatabase.url,
      POLL_INTERVAL_MS: "200",
    });
    const projectId = await createProject(db, [mismatchRule], {
      data_source: {
        type: "sql",
        driver: "postgres",
        url_env: SECRET,
        query: `select * from (values ('1', '5', '5'), (null, '5', '4')) v(order_id, total, paid)`,
        key: "order_id",
      },
    });
    const run = await runOnce(db, projectId, executor);
    expect(run.status).toBe("failed");
    expect(run.error_message).toBe(
      'loading rows failed (config): row 2 has no usable value for data_source.key field "order_id" (null); every row needs a string, number, boolean or timestamp there',
    );
  },
  60_000,
);
