import { createWriteStream } from "node:fs";
import { once } from "node:events";

import { type ByteLimits, rowTooLarge, runTooLarge } from "./byte-budget.js";
import type { RowKeyCollector } from "./row-keys.js";

/**
 * JSON for one row: bigint becomes a number when it is a safe integer and a string
 * otherwise, Buffer becomes base64, Date its ISO string (Date.prototype.toJSON).
 */
function replaceValue(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) &&
      value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  const raw = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(raw)) {
    return raw.toString("base64");
  }
  return value;
}

/**
 * Only bigint and Buffer need the replacer (Date has its own toJSON); a row with neither among
 * its values or inside array values (PostgreSQL arrays, e.g. bytea[]), which is nearly every
 * row, takes plain JSON.stringify, about twice as fast. Objects inside a row come from JSON
 * (json/jsonb columns, HTTP, manual data) and cannot hold either; a bigint that is there anyway
 * makes JSON.stringify throw, and the row takes the replacer.
 */
function needsReplacer(value: unknown): boolean {
  if (typeof value === "bigint") {
    return true;
  }
  if (typeof value !== "object" || value === null) {
    return false;
  }
  if (Buffer.isBuffer(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(needsReplacer);
  }
  return false;
}

function rowNeedsReplacer(row: unknown): boolean {
  if (row === null || typeof row !== "object") {
    return false;
  }
  const record = row as Record<string, unknown>;
  for (const key in record) {
    if (needsReplacer(record[key])) {
      return true;
    }
  }
  return false;
}

export function serializeRow(row: unknown): string {
  if (!rowNeedsReplacer(row)) {
    try {
      return JSON.stringify(row);
    } catch (error) {
      if (!(error instanceof TypeError)) {
        throw error;
      }
    }
  }
  return JSON.stringify(row, replaceValue);
}

/** The 1-based line of `chunk` whose end takes its byte count past `room`, and that count. */
function firstRowOver(
  chunk: string,
  room: number,
): { line: number; bytes: number } {
  let bytes = 0;
  let line = 0;
  for (const text of chunk.split("\n")) {
    line += 1;
    bytes += Buffer.byteLength(text, "utf8") + 1;
    if (bytes > room) {
      break;
    }
  }
  return { line, bytes };
}

export interface NdjsonWriter {
  /** Appends rows as NDJSON lines; resolves once the stream can take more (backpressure). */
  writeRows(rows: readonly unknown[]): Promise<void>;
  /** Flushes and closes the file; resolves with the totals. */
  close(): Promise<{ rowCount: number; bytes: number }>;
  /** Drops pending writes and closes the file, for the failure path. */
  discard(): Promise<void>;
  readonly rowCount: number;
}

/**
 * Opens `outFile` (truncating it) for streaming rows as they arrive. Every row is
 * checked against `limits` as serialized, whatever loader produced it (the SQL loaders
 * also check on the wire, before a row is buffered), and its key read into `rowKeys` when the
 * source names one.
 */
export async function openNdjsonWriter(
  outFile: string,
  limits: ByteLimits,
  rowKeys?: RowKeyCollector,
): Promise<NdjsonWriter> {
  const stream = createWriteStream(outFile, { flags: "w" });
  await once(stream, "open");
  let rowCount = 0;
  let bytes = 0;
  return {
    get rowCount() {
      return rowCount;
    },
    async writeRows(rows) {
      if (rows.length === 0) {
        return;
      }
      rowKeys?.add(rows, rowCount + 1);
      let chunk = "";
      // UTF-8 takes at most 3 bytes per UTF-16 unit: a line that short cannot be over the row
      // limit, and the batch's total is counted once, from its encoded buffer
      const shortLine = Math.floor(limits.maxRowBytes / 3);
      for (const [i, row] of rows.entries()) {
        const line = serializeRow(row);
        if (line.length > shortLine) {
          const lineBytes = Buffer.byteLength(line, "utf8");
          if (lineBytes > limits.maxRowBytes) {
            throw rowTooLarge(rowCount + i + 1, lineBytes, limits);
          }
        }
        chunk += line + "\n";
      }
      const buf = Buffer.from(chunk, "utf8");
      if (bytes + buf.length > limits.maxBytes) {
        const over = firstRowOver(chunk, limits.maxBytes - bytes);
        throw runTooLarge(
          bytes + over.bytes,
          limits,
          `as rows (up to row ${rowCount + over.line})`,
        );
      }
      rowCount += rows.length;
      bytes += buf.length;
      if (!stream.write(buf)) {
        await once(stream, "drain");
      }
    },
    async close() {
      stream.end();
      await once(stream, "finish");
      return { rowCount, bytes };
    },
    async discard() {
      // A write still in flight fails with ERR_STREAM_DESTROYED; nobody is waiting for it.
      stream.on("error", () => undefined);
      if (!stream.closed) {
        const closed = new Promise<void>((resolve) =>
          stream.once("close", () => resolve()),
        );
        stream.destroy();
        await closed;
      }
    },
  };
}
