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

export function serializeRow(row: unknown): string {
  return JSON.stringify(row, replaceValue);
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
      let chunkBytes = 0;
      for (const [i, row] of rows.entries()) {
        const line = serializeRow(row) + "\n";
        const lineBytes = Buffer.byteLength(line, "utf8");
        if (lineBytes - 1 > limits.maxRowBytes) {
          throw rowTooLarge(rowCount + i + 1, lineBytes - 1, limits);
        }
        chunkBytes += lineBytes;
        if (bytes + chunkBytes > limits.maxBytes) {
          throw runTooLarge(
            bytes + chunkBytes,
            limits,
            `as rows (up to row ${rowCount + i + 1})`,
          );
        }
        chunk += line;
      }
      rowCount += rows.length;
      const buf = Buffer.from(chunk, "utf8");
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
