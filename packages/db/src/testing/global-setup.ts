import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { TestProject } from "vitest/node";

import { startEmbeddedPostgres, type RunningPostgres } from "../embedded.js";
import { migrateToLatest } from "../migrate.js";
import "./provided-context.js";
import { withDatabase } from "./test-database.js";


/**
 * Once per `npm test`: a real PostgreSQL (embedded on a free port, or DATABASE_URL's server)
 * with one migrated template database. Test files clone it (CREATE DATABASE ... TEMPLATE),
 * which takes milliseconds, so every file gets its own isolated database.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: RunningPostgres | undefined;
  let parent: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    parent = await mkdtemp(path.join(os.tmpdir(), "vigil-test-pg-"));
    // as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder
    await chmod(parent, 0o755);
    const dataDir = path.join(parent, "data");
    server = await startEmbeddedPostgres({
      dataDir,
      port: 0,
      persistent: false,
      // durability is not what tests measure; these make CREATE DATABASE and commits cheap
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
    });
    adminUrl = server.url;
  }
  const template = `vigil_tpl_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`);
  await admin.end();

  const templateUrl = withDatabase(adminUrl, template);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: templateUrl, max: 1 }) }) });
  const { error } = await migrateToLatest(db);
  await db.destroy();
  if (error) {
    throw error;
  }
  project.provide("databaseUrl", adminUrl);
  project.provide("templateDatabase", template);

  return async () => {
    if (server) {
      await server.stop();
      if (parent) {
        await rm(parent, { recursive: true, force: true });
      }
      return;
    }
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(template)} WITH (FORCE)`);
    await c.end();
  };
}
