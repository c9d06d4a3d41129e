import type { SmtpEnv } from "@vigil/channels";
import type { Db, DbHandle } from "@vigil/db";
import type { Logger } from "@vigil/logger";

/** What the routes need, passed in by createApiServer's caller (main.ts or a test). */
export interface ApiDeps {
  /** The primary: writes, /ready, /status, tokens, and every read a write answers with. */
  db: Db;
  /** The pool behind `db`, for /status' pool figures. */
  pool: DbHandle["pool"];
  /**
   * The GET routes' list, detail and stats reads (DATABASE_READ_URL: a streaming replica,
   * whose answers may trail the primary by its replication lag). `db` when unset.
   */
  readDb: Db;
  /** The pool behind `readDb` when it is not `db`'s, for /status. */
  readPool: DbHandle["pool"] | undefined;
  logger: Logger;
  /** The app version reported by /health and registered in `workers`. */
  version: string;
  /** Migrations directory for /ready's check. @default @vigil/db's DEFAULT_MIGRATIONS_DIR */
  migrationsDir?: string;
  /** How `POST /channels/test` sends; unset: with no secrets, SMTP server or private networks. */
  channels?: ChannelTestSettings;
  /**
   * How many `POST /projects/{id}/dry-run` wait at once (DRY_RUN_CONCURRENCY,
   * DRY_RUN_CONCURRENCY_PER_TOKEN) and how long past the run's timeout (DRY_RUN_WAIT_SECONDS)
   * for the executor that runs it. Unset: 2 at once, 1 per token, 30 s.
   */
  dryRun?: {
    limits: { global: number; perToken: number };
    waitSeconds: number;
  };
  /**
   * DATABASE_URL, for the LISTEN that wakes a dry run's wait when its answer is written.
   * Unset: the wait polls its row only.
   */
  listenConnectionString?: string;
}

/** The REPORT_* and SMTP_* settings the executor sends with, read by the API too. */
export interface ChannelTestSettings {
  /** Where `url_env` names are looked up: the API's environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** REPORT_URL: the `default` channel of a project without report.url_env. */
  reportUrl: string | undefined;
  signingSecret: string | undefined;
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  smtp: SmtpEnv;
}

/** Workers whose heartbeat is older than this are not counted as live (5 s heartbeats, 6 missed). */
export const STALE_WORKER_SECONDS = 30;
