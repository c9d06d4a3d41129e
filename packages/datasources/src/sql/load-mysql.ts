import type { Socket } from "node:net";

import mysql from "mysql2";

import { LoadAbort } from "../result.js";
import { awaitConnection } from "./await-connection.js";
import { parseExactNumber } from "./column-values.js";
import type { SqlLoadOptions } from "./load-postgres.js";
import { prepareQuery } from "./prepare-query.js";
import { MYSQL_FRAMING, meterMessages } from "../wire-meter.js";
import { runBounded } from "./run-bounded.js";

const BATCH = 1000;
/** Parsed rows mysql2 may queue before it pauses the socket (the byte budget bounds them too). */
const STREAM_HIGH_WATER_MARK = 64;
/** A payload of this length continues in the next packet (a row of 16 MiB or more). */
const MAX_PACKET_PAYLOAD = 0xffffff;

/** Errors that mean the session is gone (connection-level failures after login). */
const CONNECT_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
]);

function classifyMysqlError(error: unknown): LoadAbort {
  const err = error as { code?: string; errno?: number; message?: string };
  const message = err.message ?? String(error);
  // 3024: MySQL max_execution_time; 1969: MariaDB max_statement_time.
  if (
    err.errno === 3024 ||
    err.errno === 1969 ||
    err.code === "PROTOCOL_SEQUENCE_TIMEOUT"
  ) {
    return new LoadAbort(
      "timeout",
      `the query was stopped by the statement timeout: ${message}`,
    );
  }
  if (err.errno === 1792) {
    return new LoadAbort(
      "query",
      `the query tried to write, but data sources run in a read-only transaction: ${message}`,
    );
  }
  if (err.code !== undefined && CONNECT_CODES.has(err.code)) {
    return new LoadAbort("connect", `lost the MySQL connection: ${message}`);
  }
  return new LoadAbort(
    "query",
    `MySQL rejected the query${err.code === undefined ? "" : ` [${err.code}]`}: ${message}`,
  );
}

/** DECIMAL as a number when exact, like PostgreSQL numeric; everything else as mysql2 parses it. */
const typeCast: mysql.TypeCast = (field, next) => {
  if (field.type === "NEWDECIMAL" || field.type === "DECIMAL") {
    const text = field.string();
    return text === null ? null : parseExactNumber(text);
  }
  return next();
};

/** Stops the statement running on `threadId` from a second connection (closing ours does not stop it). */
async function killQuery(
  connectionUrl: string,
  threadId: number,
): Promise<void> {
  const side = mysql.createConnection({
    uri: connectionUrl,
    connectTimeout: 5000,
  });
  side.on("error", () => undefined);
  try {
    await run(side, `KILL QUERY ${Number(threadId)}`);
  } finally {
    side.destroy();
  }
}

function run(connection: mysql.Connection, sql: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    connection.query(sql, (err, rows) => (err ? reject(err) : resolve(rows))),
  );
}

/**
 * Streams the query's rows into `writer` on a connection borrowed from the URL's pool,
 * inside `START TRANSACTION READ ONLY`, with the server's statement timeout
 * (`max_execution_time` on MySQL, `max_statement_time` on MariaDB) and time zone set again
 * for every load. Always rolls back and releases named locks a query took (`GET_LOCK`), so
 * the next load finds a clean session; a load that fails for any reason destroys its
 * connection instead of returning it. The connections never allow multiple statements, so
 * `...; COMMIT; DELETE ...` is a syntax error.
 */
export async function loadMysqlRows({
  source,
  connectionUrl,
  window,
  writer,
  signal,
  budget,
  connections,
}: SqlLoadOptions): Promise<void> {
  const converted = prepareQuery(source, window, "mysql");
  const timeoutMs = source.timeout_seconds * 1000;
  let lease: { pool: mysql.Pool; done: () => void };
  try {
    lease = connections.mysql(connectionUrl, {
      connectTimeout: timeoutMs,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      dateStrings: ["DATE"],
      timezone: "Z",
      typeCast,
    });
  } catch (error) {
    throw new LoadAbort(
      "config",
      `the MySQL connection URL in ${source.url_env} is not valid: ${(error as Error).message}`,
    );
  }
  let connection: mysql.PoolConnection | undefined;
  let closed = false;
  /** Ends the borrowed connection rather than returning it (a broken or busy session). */
  const discard = () => {
    if (connection !== undefined && !closed) {
      closed = true;
      connection.destroy();
    }
  };
  let abandonWait: ((reason: Error) => void) | undefined;
  try {
    await runBounded({
      timeoutMs,
      signal,
      onInterrupt: () => {
        abandonWait?.(new Error("interrupted while waiting for a connection"));
        const threadId = connection?.threadId ?? null;
        discard();
        if (threadId !== null) {
          void killQuery(connectionUrl, threadId).catch(() => undefined);
        }
      },
      work: async () => {
        const acquired = new Promise<mysql.PoolConnection>((resolve, reject) =>
          lease.pool.getConnection((err, c) =>
            err ? reject(err) : resolve(c),
          ),
        );
        connection = await awaitConnection(
          acquired,
          (abandon) => (abandonWait = abandon),
          "MySQL",
        );
        const c = connection;
        try {
          const [version] = (await run(c, "SELECT VERSION() AS v")) as {
            v: string;
          }[];
          const isMariaDb = version?.v.includes("MariaDB") === true;
          await run(
            c,
            isMariaDb
              ? `SET SESSION max_statement_time = ${timeoutMs / 1000}`
              : `SET SESSION max_execution_time = ${timeoutMs}`,
          );
          await run(c, "SET time_zone = '+00:00'");
          await run(c, "START TRANSACTION READ ONLY");
          const query = c.query({
            sql: converted.text,
            values: converted.values,
          });
          // Packets are metered as their headers arrive: a row or run over the limits
          // breaks the connection off before mysql2 has buffered it. Only rows can be
          // large (column definitions are small), so a large packet is the next row; the
          // meter runs after mysql2's parser, so rowsParsed counts every row before it.
          let rowsParsed = 0;
          query.on("result", () => {
            rowsParsed += 1;
          });
          const rows = query.stream({ highWaterMark: STREAM_HIGH_WATER_MARK });
          const socket = (c as unknown as { stream: Socket }).stream;
          const detach = meterMessages(
            socket,
            MYSQL_FRAMING,
            (_header, length) => {
              const ok =
                length > budget.limits.maxRowBytes
                  ? budget.receiveRow(
                      rowsParsed + 1,
                      length,
                      length === MAX_PACKET_PAYLOAD,
                    )
                  : budget.receive(length, `by row ${rowsParsed + 1}`);
              if (!ok) {
                // Ends the pending for-await with the failure; mysql2 alone would wait forever.
                rows.destroy(budget.failure ?? undefined);
                discard();
              }
            },
            "after-driver",
          );
          try {
            let batch: unknown[] = [];
            for await (const row of rows) {
              batch.push(row);
              if (writer.rowCount + batch.length > source.max_rows) {
                rows.destroy();
                throw new LoadAbort(
                  "too_many_rows",
                  `the query returned more than max_rows=${source.max_rows} rows; narrow the query or raise max_rows`,
                );
              }
              if (batch.length >= BATCH) {
                await writer.writeRows(batch);
                batch = [];
              }
            }
            await writer.writeRows(batch);
          } finally {
            detach();
          }
          if (budget.failure !== null) {
            throw budget.failure;
          }
          await run(c, "ROLLBACK");
          await run(c, "DO RELEASE_ALL_LOCKS()");
          if (!closed) {
            closed = true;
            c.release();
          }
        } catch (error) {
          discard();
          if (budget.failure !== null) {
            throw budget.failure;
          }
          throw error instanceof LoadAbort ? error : classifyMysqlError(error);
        }
      },
    });
  } finally {
    lease.done();
  }
}
