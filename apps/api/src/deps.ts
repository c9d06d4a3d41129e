import type { Db, DbHandle } from "@vigil/db";
import type { Logger } from "@vigil/logger";

/** What the routes need, passed in by createApiServer's caller (main.ts or a test). */
export interface ApiDeps {
  db: Db;
  /** The pool behind `db`, for /status' pool figures. */
  pool: DbHandle["pool"];
  logger: Logger;
  /** The app version reported by /health and registered in `workers`. */
  version: string;
  /** Migrations directory for /ready's check. @default @vigil/db's DEFAULT_MIGRATIONS_DIR */
  migrationsDir?: string;
}

/** Workers whose heartbeat is older than this are not counted as live (5 s heartbeats, 6 missed). */
export const STALE_WORKER_SECONDS = 30;
