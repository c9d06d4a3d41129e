// `npm run schema:dump -w @vigil/db`: migrates a fresh database (DATABASE_URL's server, or an
// embedded PostgreSQL) and writes its schema to packages/db/schema.sql.
import { writeFile } from "node:fs/promises";

import pg from "pg";

import { useOrStartPostgres } from "../../src/embedded.js";
import { migrateToLatest } from "../../src/migrate.js";
import { createDb } from "../../src/pool.js";
import { dumpSchema, SCHEMA_DUMP_FILE } from "../../src/schema-dump.js";

const server = await useOrStartPostgres({
  databaseUrl: process.env.DATABASE_URL,
  label: "schema-dump",
});
const name = `vigil_schema_dump_${process.pid}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
try {
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  // createDb's pool keeps an error listener on every client, so the forced drop below is no crash
  const handle = createDb({ connectionString: server.urlFor(name), max: 1 });
  const db = handle.db;
  try {
    const { error } = await migrateToLatest(db);
    if (error) {
      throw error;
    }
    await writeFile(SCHEMA_DUMP_FILE, await dumpSchema(db));
    console.log(`wrote ${SCHEMA_DUMP_FILE}`);
  } finally {
    await handle.close();
  }
} finally {
  await admin.query(
    `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`,
  );
  await admin.end();
  await server.stop();
}
