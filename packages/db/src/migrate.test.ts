import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";

import {
  DEFAULT_SQL_DIR,
  migrateToLatest,
  pendingMigrations,
} from "./migrate.js";
import { createTestDatabase } from "./testing/test-database.js";

async function emptyDatabase() {
  const admin = inject("databaseUrl");
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  const name = `t_migrate_${Math.random().toString(16).slice(2, 8)}`;
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    db: new Kysely<any>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: url.toString(), max: 4 }),
      }),
    }),
    name,
  };
}

describe("migrateToLatest", () => {
  it("applies every migration once, and a second run applies nothing", async () => {
    const { db } = await emptyDatabase();
    const first = await migrateToLatest(db);
    expect(first.error).toBeUndefined();
    expect(first.applied).toContain("0001_init");
    const second = await migrateToLatest(db);
    expect(second).toEqual({ applied: [] });
    expect(await pendingMigrations(db)).toEqual([]);
    await db.destroy();
  });

  it("two migrators racing apply each file exactly once", async () => {
    const { db } = await emptyDatabase();
    const [a, b] = await Promise.all([
      migrateToLatest(db),
      migrateToLatest(db),
    ]);
    expect(a.error ?? b.error).toBeUndefined();
    expect(
      [...a.applied, ...b.applied].filter((n) => n === "0001_init"),
    ).toHaveLength(1);
    await db.destroy();
  });

  it("a broken migration reports its file name and leaves nothing of itself behind", async () => {
    const t = await createTestDatabase(
      inject("databaseUrl"),
      inject("templateDatabase"),
    );
    const db = new Kysely<any>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: t.url, max: 2 }),
      }),
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-mig-"));
    const { DEFAULT_MIGRATIONS_DIR } = await import("./migrate.js");
    const { copyFile, readdir } = await import("node:fs/promises");
    for (const f of await readdir(DEFAULT_MIGRATIONS_DIR)) {
      await copyFile(path.join(DEFAULT_MIGRATIONS_DIR, f), path.join(dir, f));
    }
    await writeFile(
      path.join(dir, "9999_broken.sql"),
      "CREATE TABLE half_done (id int); SELECT * FROM no_such_table;",
    );
    const result = await migrateToLatest(db, dir);
    expect(result.error?.message).toMatch(/9999_broken/);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from information_schema.tables where table_name = 'half_done'`.execute(
      db,
    );
    expect(rows[0]?.n).toBe(0);
    await db.destroy();
    await t.drop();
  });
});

/** packages/db/sql copied to a temp folder, with `vigil_notify_outbox_inserted.sql` rewritten by `edit`. */
async function editedSqlDir(edit: (text: string) => string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-sql-"));
  await cp(DEFAULT_SQL_DIR, dir, { recursive: true });
  const file = path.join(dir, "vigil_notify_outbox_inserted.sql");
  await writeFile(file, edit(await readFile(file, "utf8")));
  return dir;
}

const outboxNotifyBody = async (db: Kysely<any>) => {
  const { rows } = await sql<{
    src: string;
  }>`SELECT prosrc AS src FROM pg_proc WHERE proname = 'vigil_notify_outbox_inserted'`.execute(
    db,
  );
  return rows[0]?.src ?? "";
};

describe("function files (packages/db/sql)", () => {
  it("a fresh database gets every function file once; a changed file is pending, then re-applied alone", async () => {
    const { db } = await emptyDatabase();
    const first = await migrateToLatest(db);
    expect(first.applied).toEqual(
      expect.arrayContaining([
        "sql/vigil_claim_due_triggers.sql",
        "sql/vigil_finish_runs.sql",
      ]),
    );
    const sqlDir = await editedSqlDir((t) =>
      t.replace(
        "pg_notify('vigil_outbox', '')",
        "pg_notify('vigil_outbox', 'changed')",
      ),
    );
    expect(await pendingMigrations(db, undefined, { sqlDir })).toEqual([
      "sql/vigil_notify_outbox_inserted.sql",
    ]);
    expect(await migrateToLatest(db, undefined, { sqlDir })).toEqual({
      applied: ["sql/vigil_notify_outbox_inserted.sql"],
    });
    expect(await outboxNotifyBody(db)).toContain("'changed'");
    expect(await pendingMigrations(db, undefined, { sqlDir })).toEqual([]);
    // the repository's version was applied before: an older app during a roll is not held back
    expect(await pendingMigrations(db)).toEqual([]);
    // and its migrator puts its own version back in force
    expect(await migrateToLatest(db)).toEqual({
      applied: ["sql/vigil_notify_outbox_inserted.sql"],
    });
    expect(await outboxNotifyBody(db)).not.toContain("'changed'");
    await db.destroy();
  });

  it("two migrators racing over a changed file apply it exactly once", async () => {
    const { db } = await emptyDatabase();
    await migrateToLatest(db);
    const sqlDir = await editedSqlDir(
      (t) => `${t}\n-- a comment changes the checksum\n`,
    );
    const [a, b] = await Promise.all([
      migrateToLatest(db, undefined, { sqlDir }),
      migrateToLatest(db, undefined, { sqlDir }),
    ]);
    expect(a.error ?? b.error).toBeUndefined();
    expect([...a.applied, ...b.applied]).toEqual([
      "sql/vigil_notify_outbox_inserted.sql",
    ]);
    await db.destroy();
  });

  it("a broken function file is named in the error and leaves every function as it was", async () => {
    const { db } = await emptyDatabase();
    await migrateToLatest(db);
    const before = await outboxNotifyBody(db);
    const sqlDir = await editedSqlDir(
      (t) =>
        `${t.replace("'vigil_outbox', ''", "'vigil_outbox', 'x'")}\nSELECT * FROM no_such_table;\n`,
    );
    const result = await migrateToLatest(db, undefined, { sqlDir });
    expect(result.error?.message).toMatch(
      /sql\/vigil_notify_outbox_inserted\.sql failed: .*no_such_table/,
    );
    expect(await outboxNotifyBody(db)).toBe(before);
    expect(await pendingMigrations(db, undefined, { sqlDir })).toEqual([
      "sql/vigil_notify_outbox_inserted.sql",
    ]);
    await db.destroy();
  });
});
