import { inject, test } from "vitest";

import "./provided-context.js";

import { createDb, type Db, type DbHandle } from "../pool.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

export interface DbFixtures {
  /** A database of this test file's own, cloned from the migrated template. */
  testDatabase: TestDatabase;
  /** The handle with its pool, for code that needs pg.Pool. */
  dbHandle: DbHandle;
  /** A kysely handle on it. */
  db: Db;
}

/**
 * `dbTest` gives each test file one isolated, migrated database (a file-scoped fixture,
 * created on first use). It is dropped after the file unless VIGIL_KEEP_TEST_DATABASES=1,
 * which keeps it (and logs its name) for inspection after a failure.
 */
export const dbTest = test.extend<{ $file: DbFixtures }>({
  testDatabase: [
    async ({}, use) => {
      const database = await createTestDatabase(
        inject("databaseUrl"),
        inject("templateDatabase"),
      );
      await use(database);
      if (process.env.VIGIL_KEEP_TEST_DATABASES === "1") {
        console.warn(`kept test database ${database.name}`);
      } else {
        await database.drop().catch(() => undefined);
      }
    },
    { scope: "file" },
  ],
  dbHandle: [
    async ({ testDatabase }, use) => {
      const handle = createDb({
        connectionString: testDatabase.url,
        max: 10,
        applicationName: "vigil-test",
      });
      await use(handle);
      await handle.close();
    },
    { scope: "file" },
  ],
  db: [async ({ dbHandle }, use) => use(dbHandle.db), { scope: "file" }],
});
