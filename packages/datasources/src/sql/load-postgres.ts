import pg from "pg";

import type { SqlDataSource } from "@vigil/contracts";

import type { NdjsonWriter } from "../ndjson-writer.js";
import { LoadAbort } from "../result.js";
import { parseExactNumber, parseUtcTimestamp } from "./column-values.js";
import { prepareQuery } from "./prepare-query.js";
import { runBounded } from "./run-bounded.js";

const FETCH_BATCH = 1000;
const OID = { int8: 20, date: 1082, timestamp: 1114, numeric: 1700 } as const;

const typeParsers: Partial<Record<number, (text: string) => unknown>> = {
  [OID.int8]: parseExactNumber,
  [OID.numeric]: parseExactNumber,
  [OID.date]: (text) => text,
  [OID.timestamp]: parseUtcTimestamp,
};

const types = {
  getTypeParser: (oid: number, format?: "text" | "binary"): unknown =>
    typeParsers[oid] ??
    (format === "binary"
      ? (pg.types.getTypeParser(oid, "binary") as unknown)
      : (pg.types.getTypeParser(oid, "text") as unknown)),
};

export interface SqlLoadOptions {
  source: SqlDataSource;
  connectionUrl: string;
  window: { start: Date; end: Date };
  writer: NdjsonWriter;
  signal: AbortSignal;
}

/** SQLSTATE class 08: the connection broke (after login; login failures are caught at connect). */
const CONNECT_STATES = /^08/;

const DECLARE_PREFIX = "DECLARE vigil_rows NO SCROLL CURSOR FOR ";

function classifyPgError(error: unknown): LoadAbort {
  const err = error as { code?: string; message?: string; position?: string };
  const message = err.message ?? String(error);
  if (err.code === "57014") {
    return new LoadAbort(
      "timeout",
      `the query was cancelled by the statement timeout: ${message}`,
    );
  }
  if (err.code === "25006") {
    return new LoadAbort(
      "query",
      `the query tried to write, but data sources run in a read-only transaction: ${message}`,
    );
  }
  if (
    err.code !== undefined &&
    /^[0-9A-Z]{5}$/.test(err.code) &&
    !CONNECT_STATES.test(err.code)
  ) {
    // Positions count from the start of the DECLARE; report them within the query.
    const position = Number(err.position) - DECLARE_PREFIX.length;
    const at =
      position > 0
        ? ` (at character ${position} of the query, after :name became $n)`
        : "";
    return new LoadAbort(
      "query",
      `PostgreSQL rejected the query [${err.code}]: ${message}${at}`,
    );
  }
  return new LoadAbort(
    "connect",
    `could not connect to PostgreSQL: ${message}`,
  );
}

/**
 * Cancels the query running in session `pid` from a second, short-lived connection:
 * closing our socket alone would leave the server running the statement until it next
 * writes to the client or hits statement_timeout.
 */
async function cancelBackend(
  connectionUrl: string,
  pid: number,
): Promise<void> {
  const side = new pg.Client({
    connectionString: connectionUrl,
    connectionTimeoutMillis: 5000,
    application_name: "vigil-datasource-cancel",
  });
  side.on("error", () => undefined);
  try {
    await side.connect();
    await side.query("SELECT pg_cancel_backend($1)", [pid]);
  } finally {
    await side.end().catch(() => undefined);
  }
}

/**
 * Streams the query's rows into `writer` through a server-side cursor, FETCH_BATCH
 * rows at a time, inside `BEGIN READ ONLY` with a statement timeout, on a client of its
 * own (a pool would keep the executor's credentials warm for no gain). Always rolls
 * back. `queryMode: "extended"` makes PostgreSQL refuse a second statement smuggled
 * into the query text (`...; COMMIT; DROP ...`).
 */
export async function loadPostgresRows({
  source,
  connectionUrl,
  window,
  writer,
  signal,
}: SqlLoadOptions): Promise<void> {
  const converted = prepareQuery(source, window, "postgres");
  const timeoutMs = source.timeout_seconds * 1000;
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: connectionUrl,
      connectionTimeoutMillis: timeoutMs,
      application_name: "vigil-datasource",
      types,
    });
  } catch (error) {
    throw new LoadAbort(
      "config",
      `the PostgreSQL connection URL in ${source.url_env} is not valid: ${(error as Error).message}`,
    );
  }
  client.on("error", () => undefined); // a dropped connection surfaces through the pending query
  let backendPid: number | undefined;
  await runBounded({
    timeoutMs,
    signal,
    onInterrupt: () => {
      const cancelled =
        backendPid === undefined
          ? Promise.resolve()
          : cancelBackend(connectionUrl, backendPid);
      void cancelled
        .catch(() => undefined)
        .then(() => client.end().catch(() => undefined));
    },
    work: async () => {
      try {
        await client.connect();
        backendPid = (
          await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")
        ).rows[0]?.pid;
      } catch (error) {
        throw new LoadAbort(
          "connect",
          `could not connect to PostgreSQL: ${(error as Error).message}`,
        );
      }
      try {
        await client.query("BEGIN READ ONLY");
        await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
        await client.query("SET LOCAL TIME ZONE 'UTC'");
        // queryMode is in pg >= 8.11 but not yet in @types/pg.
        const declare = {
          text: `${DECLARE_PREFIX}${converted.text}`,
          values: converted.values,
          queryMode: "extended",
        };
        await client.query(declare);
        for (;;) {
          const { rows } = await client.query(
            `FETCH FORWARD ${FETCH_BATCH} FROM vigil_rows`,
          );
          if (writer.rowCount + rows.length > source.max_rows) {
            throw new LoadAbort(
              "too_many_rows",
              `the query returned more than max_rows=${source.max_rows} rows; narrow the query or raise max_rows`,
            );
          }
          await writer.writeRows(rows);
          if (rows.length < FETCH_BATCH) {
            break;
          }
        }
        await client.query("ROLLBACK");
      } catch (error) {
        throw error instanceof LoadAbort ? error : classifyPgError(error);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  });
}
