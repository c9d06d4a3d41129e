import mysql from "mysql2";
import pg from "pg";

/** DATASOURCE_POOL_SIZE's default: connections one executor keeps per source URL. */
export const DEFAULT_SOURCE_POOL_SIZE = 2;
/** DATASOURCE_POOL_IDLE_SECONDS's default, in milliseconds. */
export const DEFAULT_SOURCE_POOL_IDLE_MS = 30_000;

export interface SourceConnectionsOptions {
  /** Most connections open at once per resolved URL; more loads of one source wait for one. */
  maxPerSource?: number;
  /** An unused connection is closed after this long, so a source no run needs costs nothing. */
  idleMs?: number;
}

export interface PostgresPoolOptions {
  /** Connect (and wait-for-a-connection) timeout of the pool, set by the source that made it. */
  connectTimeoutMs: number;
  /** The column parsers every client of the pool uses. */
  types: pg.CustomTypesConfig;
}

/**
 * The SQL data sources' connections of one process (an executor), one bounded pool per
 * driver and resolved URL: consecutive runs of a project skip the connect and login, runs of
 * one source share at most `maxPerSource` connections, and a source that stopped being used
 * holds none after `idleMs`. Pools are independent: a source that refuses connections fails
 * only its own loads. The URL is a map key and a pool setting, never logged or put in an
 * error. `close()` ends every pool (the executor's shutdown).
 */
export interface SourceConnections {
  postgres(url: string, o: PostgresPoolOptions): pg.Pool;
  /** The URL's pool, held until `done()`; `options` apply when this call makes the pool. */
  mysql(
    url: string,
    options: mysql.PoolOptions,
  ): { pool: mysql.Pool; done: () => void };
  close(): Promise<void>;
}

interface MysqlEntry {
  pool: mysql.Pool;
  /** Loads holding the pool now. */
  users: number;
  retire: NodeJS.Timeout | undefined;
}

export function createSourceConnections(
  o: SourceConnectionsOptions = {},
): SourceConnections {
  const max = o.maxPerSource ?? DEFAULT_SOURCE_POOL_SIZE;
  const idleMs = o.idleMs ?? DEFAULT_SOURCE_POOL_IDLE_MS;
  const pgPools = new Map<string, pg.Pool>();
  const mysqlPools = new Map<string, MysqlEntry>();
  const endMysql = (pool: mysql.Pool) =>
    new Promise<void>((resolve) => pool.end(() => resolve()));
  let closed = false;
  const refuseWhenClosed = () => {
    if (closed) {
      throw new Error("the data-source connections are closed");
    }
  };
  return {
    postgres(url, { connectTimeoutMs, types }) {
      refuseWhenClosed();
      let pool = pgPools.get(url);
      if (pool === undefined) {
        // the constructor of a client parses the URL: a malformed one fails here, as a config error
        new pg.Client({ connectionString: url });
        pool = new pg.Pool({
          connectionString: url,
          max,
          idleTimeoutMillis: idleMs,
          connectionTimeoutMillis: connectTimeoutMs,
          application_name: "vigil-datasource",
          types,
        });
        // an idle connection the server dropped: the pool removes it; the next load connects anew
        pool.on("error", () => undefined);
        pgPools.set(url, pool);
      }
      return pool;
    },
    mysql(url, options) {
      refuseWhenClosed();
      let entry = mysqlPools.get(url);
      if (entry === undefined) {
        const pool = mysql.createPool({
          ...options,
          uri: url,
          connectionLimit: max,
          // mysql2 closes idle connections only beyond maxIdle; a pool nobody used for idleMs
          // is ended whole instead (below)
          maxIdle: max,
          waitForConnections: true,
          queueLimit: 0,
        });
        pool.on("connection", (c) => c.on("error", () => undefined));
        entry = { pool, users: 0, retire: undefined };
        mysqlPools.set(url, entry);
      }
      const held = entry;
      held.users += 1;
      clearTimeout(held.retire);
      let released = false;
      return {
        pool: held.pool,
        done: () => {
          if (released) {
            return;
          }
          released = true;
          held.users -= 1;
          if (held.users === 0) {
            held.retire = setTimeout(() => {
              if (held.users === 0 && mysqlPools.get(url) === held) {
                mysqlPools.delete(url);
                void endMysql(held.pool);
              }
            }, idleMs);
            held.retire.unref();
          }
        },
      };
    },
    async close() {
      closed = true;
      const ends = [
        ...[...pgPools.values()].map((p) => p.end()),
        ...[...mysqlPools.values()].map((e) => {
          clearTimeout(e.retire);
          return endMysql(e.pool);
        }),
      ];
      pgPools.clear();
      mysqlPools.clear();
      await Promise.allSettled(ends);
    },
  };
}
