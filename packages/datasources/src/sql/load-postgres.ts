import type { Socket } from "node:net";

import pg from "pg";

import type { SqlDataSource } from "@vigil/contracts";

import type { ByteBudget } from "../byte-budget.js";
import type { NdjsonWriter } from "../ndjson-writer.js";
import { LoadAbort } from "../result.js";
import { awaitConnection } from "./await-connection.js";
import { parseExactNumber, parseUtcTimestamp } from "./column-values.js";
import { prepareQuery } from "./prepare-query.js";
import { POSTGRES_FRAMING, meterMessages } from "../wire-meter.js";
import { runBounded } from "./run-bounded.js";
import type { SourceConnections } from "./source-connections.js";

/** Rows per FETCH at most; fewer when rows are wide (see nextFetchCount). */
const FETCH_MAX_ROWS = 1000;
/** The first FETCH, before any row size is known: at most 4 rows of the row limit. */
const FETCH_FIRST_ROWS = 4;
/** What one FETCH should bring, in wire bytes: the batch is held twice (received, parsed). */
const FETCH_TARGET_BYTES = 4 * 1024 ** 2;
const DATA_ROW = 0x44; // 'D'

/** Sizes the next FETCH from the widest row so far, so a batch stays near FETCH_TARGET_BYTES. */
function nextFetchCount(widestRow: number): number {
  return Math.max(
    1,
    Math.min(
      FETCH_MAX_ROWS,
      Math.floor(FETCH_TARGET_BYTES / Math.max(widestRow, 1)),
    ),
  );
}
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
  /** DATASOURCE_MAX_ROW_BYTES and DATASOURCE_MAX_BYTES, checked as bytes arrive. */
  budget: ByteBudget;
  /** The process's pooled source connections; the load borrows one for its URL. */
  connections: SourceConnections;
}

/** Clients that already have the listener below (a pooled client serves many loads). */
const guarded = new WeakSet<pg.PoolClient>();

/** A checked-out client's errors surface through its pending query; unhandled, they would crash. */
function guardErrors(client: pg.PoolClient): void {
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on("error", () => undefined);
  }
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
 * Streams the query's rows into `writer` through a server-side cursor, in FETCHes
 * sized by bytes as well as rows (FETCH_TARGET_BYTES, FETCH_MAX_ROWS), each row's wire
 * size checked against the budget as its header arrives, inside `BEGIN READ ONLY` with a
 * statement timeout, on a connection borrowed from the URL's pool. Always rolls back, and
 * releases session advisory locks a query took, so the next load of the pool finds a clean
 * session; a load that fails for any reason closes its connection instead of returning it.
 * `queryMode: "extended"` makes PostgreSQL refuse a second statement smuggled into the
 * query text (`...; COMMIT; DROP ...`).
 */
export async function loadPostgresRows({
  source,
  connectionUrl,
  window,
  writer,
  signal,
  budget,
  connections,
}: SqlLoadOptions): Promise<void> {
  const converted = prepareQuery(source, window, "postgres");
  const timeoutMs = source.timeout_seconds * 1000;
  let pool: pg.Pool;
  try {
    pool = connections.postgres(connectionUrl, {
      connectTimeoutMs: timeoutMs,
      types,
    });
  } catch (error) {
    throw new LoadAbort(
      "config",
      `the PostgreSQL connection URL in ${source.url_env} is not valid: ${(error as Error).message}`,
    );
  }
  let client: pg.PoolClient | undefined;
  let closed = false;
  /** Ends the borrowed connection rather than returning it (a broken or busy session). */
  const discard = () => {
    if (client !== undefined && !closed) {
      closed = true;
      client.release(true);
    }
  };
  let abandonWait: ((reason: Error) => void) | undefined;
  await runBounded({
    timeoutMs,
    signal,
    onInterrupt: () => {
      abandonWait?.(new Error("interrupted while waiting for a connection"));
      const pid = (client as { processID?: number | null } | undefined)
        ?.processID;
      const cancelled =
        typeof pid === "number"
          ? cancelBackend(connectionUrl, pid)
          : Promise.resolve();
      void cancelled.catch(() => undefined).then(discard);
    },
    work: async () => {
      client = await awaitConnection(
        pool.connect(),
        (abandon) => (abandonWait = abandon),
        "PostgreSQL",
      );
      guardErrors(client);
      const c = client;
      let detach: (() => void) | undefined;
      try {
        // one round trip: the simple protocol runs the three in order
        await c.query(
          `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL TIME ZONE 'UTC'`,
        );
        // queryMode is in pg >= 8.11 but not yet in @types/pg.
        const declare = {
          text: `${DECLARE_PREFIX}${converted.text}`,
          values: converted.values,
          queryMode: "extended",
        };
        await c.query(declare);
        // Every DataRow's size is known from its header: a row or run over the limits
        // breaks the connection off before pg has buffered it (8 GiB never arrives).
        let rowsOnWire = 0;
        let widestRow = 0;
        const socket = (c as unknown as { connection: { stream: Socket } })
          .connection.stream;
        detach = meterMessages(
          socket,
          POSTGRES_FRAMING,
          (header, length) => {
            if (header[0] !== DATA_ROW) {
              return;
            }
            rowsOnWire += 1;
            widestRow = Math.max(widestRow, length);
            if (!budget.receiveRow(rowsOnWire, length)) {
              socket.destroy();
            }
          },
          "before-driver",
        );
        let fetchCount = FETCH_FIRST_ROWS;
        for (;;) {
          let rows: unknown[];
          try {
            ({ rows } = await c.query(
              `FETCH FORWARD ${fetchCount} FROM vigil_rows`,
            ));
          } catch (error) {
            throw budget.failure ?? error;
          }
          if (budget.failure !== null) {
            throw budget.failure;
          }
          if (writer.rowCount + rows.length > source.max_rows) {
            throw new LoadAbort(
              "too_many_rows",
              `the query returned more than max_rows=${source.max_rows} rows; narrow the query or raise max_rows`,
            );
          }
          await writer.writeRows(rows);
          if (rows.length < fetchCount) {
            break;
          }
          fetchCount = nextFetchCount(widestRow);
        }
        detach();
        detach = undefined;
        await c.query("ROLLBACK; SELECT pg_advisory_unlock_all()");
        if (!closed) {
          closed = true;
          c.release();
        }
      } catch (error) {
        detach?.();
        discard();
        throw error instanceof LoadAbort ? error : classifyPgError(error);
      }
    },
  });
}
