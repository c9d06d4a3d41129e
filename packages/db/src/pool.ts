import { Kysely, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";

import type { Database } from "./database.js";

export type Db = Kysely<Database>;
/** A transaction on the pool: what the queries that must run inside one take. */
export type DbTransaction = Transaction<Database>;

export interface CreateDbOptions {
  connectionString: string;
  /** @default 10 */
  max?: number;
  /** Shows in pg_stat_activity, so an operator can tell the apps apart. */
  applicationName?: string;
  /** Called for errors of idle clients (e.g. PostgreSQL restarted); the pool replaces them. */
  onIdleError?: (err: Error) => void;
}

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

const INT8_OID = 20;
/**
 * int8 as a JS number for this pool only: ids and counts stay far below 2^53, and the
 * global pg parser is left alone for user data sources that may hold larger values.
 */
const parseInt8 = (value: string): number => Number(value);
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary"): unknown =>
    oid === INT8_OID
      ? parseInt8
      : (pg.types.getTypeParser(
          oid,
          format,
        ) as unknown)) as typeof pg.types.getTypeParser,
};

export function createPool(options: CreateDbOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "vigil",
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types,
  });
  // Without a listener, an idle client's error (PostgreSQL restarting) crashes the process.
  pool.on("error", (err) => options.onIdleError?.(err));
  // pg-pool drops its own listener while a client is checked out; a server restart mid-query
  // would then surface as an unhandled 'error' event. The query itself still rejects.
  pool.on("connect", (client) =>
    client.on("error", (err) => options.onIdleError?.(err)),
  );
  return pool;
}

export function createDb(options: CreateDbOptions): DbHandle {
  const pool = createPool(options);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => (closed ??= db.destroy()),
  };
}
