import { withDatabase } from "@vigil/db/testing";
import pg from "pg";
import { afterAll, describe, expect, inject, test } from "vitest";

import { runCliOn as vigil } from "./run-cli.js";

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: inject("databaseUrl") });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// An empty database, not a clone of the migrated template: every migration is pending.
const name = `t_migrate_check_${process.pid}`;

describe("vigil migrate --check", () => {
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

  test("exits 1 naming the pending migrations, changes nothing, and exits 0 once migrated", async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = withDatabase(inject("databaseUrl"), name);

    const before = await vigil(["migrate", "--check"], url);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/migration\(s\) pending: 0001_init/);
    // --check applied nothing: a second check still sees the same list
    expect((await vigil(["migrate", "--check"], url)).stderr).toBe(
      before.stderr,
    );

    expect((await vigil(["migrate"], url)).code).toBe(0);
    const after = await vigil(["migrate", "--check"], url);
    expect(after).toMatchObject({ code: 0, stdout: "schema is up to date\n" });
  });

  test("a database function whose source changed is pending too, and vigil migrate re-applies only it", async () => {
    const url = withDatabase(inject("databaseUrl"), name);
    expect((await vigil(["migrate"], url)).code).toBe(0);
    // as if packages/db/sql/vigil_finish_runs.sql had changed since it was applied
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(
      "UPDATE vigil_sql_function_versions SET checksum = 'stale' WHERE name = 'sql/vigil_finish_runs.sql'",
    );
    await c.end();
    expect(await vigil(["migrate", "--check"], url)).toMatchObject({
      code: 1,
      stderr: "1 migration(s) pending: sql/vigil_finish_runs.sql\n",
    });
    expect(await vigil(["migrate"], url)).toMatchObject({
      code: 0,
      stdout: "applied 1 migration(s): sql/vigil_finish_runs.sql\n",
    });
    expect((await vigil(["migrate", "--check"], url)).code).toBe(0);
  });
});
