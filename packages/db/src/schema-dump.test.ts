import { readFile } from "node:fs/promises";

import { sql } from "kysely";
import { expect } from "vitest";

import { dumpSchema, SCHEMA_DUMP_FILE } from "./schema-dump.js";
import { dbTest } from "./testing/db-test.js";

dbTest(
  "the migrated schema is the committed packages/db/schema.sql (npm run schema:dump -w @vigil/db rewrites it); skipped on a server of another major version than the one recorded, whose deparsed text differs",
  async ({ db, skip }) => {
    const committed = await readFile(SCHEMA_DUMP_FILE, "utf8");
    const { rows } = await sql<{ major: number }>`
      SELECT current_setting('server_version_num')::int / 10000 AS major`.execute(
      db,
    );
    const recorded = /^-- PostgreSQL (\d+)$/m.exec(committed)?.[1];
    if (recorded !== String(rows[0]!.major)) {
      skip(
        `schema.sql records PostgreSQL ${recorded}, the server is ${rows[0]!.major}`,
      );
    }
    expect(await dumpSchema(db)).toBe(committed);
  },
);
