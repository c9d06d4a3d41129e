import pg from "pg";
import { describe, expect } from "vitest";

import { dbTest as test, insertProject, waitFor } from "../../testing/index.js";
import { readDatabaseHealth } from "./database-health.js";

const ROWS = 400;
const DELETED = 300;

describe("readDatabaseHealth", () => {
  test("reports every Vigil table with sizes, and dead tuples rise by what a delete left behind", async ({
    db,
    testDatabase,
  }) => {
    const p = await insertProject(db);
    await db
      .insertInto("executions")
      .values(
        Array.from({ length: ROWS }, () => ({
          project_id: p.id,
          status: "success" as const,
          scheduled_for: new Date(),
        })),
      )
      .execute();

    const before = await readDatabaseHealth(db);
    const names = before.tables.map((t) => t.table);
    for (const table of ["executions", "findings", "triggers", "projects"]) {
      expect(names).toContain(table);
    }
    // the demo's tables live in their own schema and are not Vigil's
    expect(names.every((n) => !n.startsWith("demo"))).toBe(true);
    const executions = before.tables.find((t) => t.table === "executions")!;
    expect(Number.isInteger(executions.total_bytes)).toBe(true);
    expect(executions.index_bytes).toBeGreaterThan(0);
    expect(executions.total_bytes).toBeGreaterThan(executions.index_bytes);
    expect(
      executions.last_autovacuum === null ||
        executions.last_autovacuum instanceof Date,
    ).toBe(true);

    // a client of its own so it can ask for its statistics to be flushed at once
    const client = new pg.Client({ connectionString: testDatabase.url });
    await client.connect();
    try {
      const deleted = await client.query(
        "delete from executions where id in (select id from executions where project_id = $1 order by id limit $2)",
        [p.id, DELETED],
      );
      expect(deleted.rowCount).toBe(DELETED);
      await client.query("select pg_stat_force_next_flush()");
    } finally {
      await client.end();
    }
    const after = await waitFor(
      async () => {
        const h = await readDatabaseHealth(db);
        const t = h.tables.find((x) => x.table === "executions")!;
        return t.dead_tuples >= executions.dead_tuples + DELETED
          ? t
          : undefined;
      },
      { message: "the deleted rows to show as dead tuples" },
    );
    // no more dead rows than were ever written, and the live count follows the delete
    expect(after.dead_tuples).toBeLessThanOrEqual(
      ROWS + executions.dead_tuples,
    );
    expect(after.live_tuples).toBeLessThanOrEqual(ROWS - DELETED);
  });

  test("names the oldest open transaction and its age, and forgets it once it ends", async ({
    db,
    testDatabase,
  }) => {
    const holder = new pg.Client({
      connectionString: testDatabase.url,
      application_name: "health-test-holder",
    });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("select txid_current()");
      await holder.query("select pg_sleep(0.05)");
      const open = await readDatabaseHealth(db);
      expect(open.transactions.oldest_transaction_application).toBe(
        "health-test-holder",
      );
      expect(open.transactions.oldest_transaction_state).toBe(
        "idle in transaction",
      );
      expect(open.transactions.oldest_transaction_seconds).toBeGreaterThan(0);
      expect(Number.isInteger(open.transactions.frozen_xid_age)).toBe(true);
      expect(open.transactions.frozen_xid_age).toBeGreaterThan(0);
      await holder.query("commit");
      const closed = await readDatabaseHealth(db);
      expect(closed.transactions.oldest_transaction_application).not.toBe(
        "health-test-holder",
      );
    } finally {
      await holder.end();
    }
  });

  test("lists no replicas on a primary without standbys", async ({ db }) => {
    expect((await readDatabaseHealth(db)).replicas).toEqual([]);
  });
});
