import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";

import { migrateToLatest, pendingMigrations } from "./migrate.js";
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
