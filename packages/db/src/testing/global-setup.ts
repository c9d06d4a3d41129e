import { randomBytes } from "node:crypto";

import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { TestProject } from "vitest/node";

import { useOrStartPostgres } from "../embedded.js";
import { migrateToLatest } from "../migrate.js";
import "./provided-context.js";
import { withDatabase } from "./test-database.js";

/**
 * Once per `npm test`: a real PostgreSQL (embedded on a free port, or DATABASE_URL's server)
 * with one migrated template database. Test files clone it (CREATE DATABASE ... TEMPLATE),
 * which takes milliseconds, so every file gets its own isolated database.
 */
export default async function setup(
  project: TestProject,
): Promise<() => Promise<void>> {
  const server = await useOrStartPostgres({
    databaseUrl: process.env.DATABASE_URL,
    label: "test",
    // durability is not what tests measure; these make CREATE DATABASE and commits cheap
    settings: {
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
    },
  });
  const adminUrl = server.url;
  const template = `vigil_tpl_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`);
  await admin.end();

  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: withDatabase(adminUrl, template),
        max: 1,
      }),
    }),
  });
  const { error } = await migrateToLatest(db);
  await db.destroy();
  if (error) {
    throw error;
  }
  project.provide("databaseUrl", adminUrl);
  project.provide("templateDatabase", template);

  return async () => {
    if (!server.embedded) {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(
        `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(template)} WITH (FORCE)`,
      );
      await c.end();
    }
    await server.stop();
  };
}
