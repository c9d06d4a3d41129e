import { promisify } from "node:util";
import { gunzip } from "node:zlib";

import type { Db } from "../../pool.js";
import type { JsonObject } from "../../tables/common.js";

// on the thread pool: an input may be tens of MB of NDJSON, too long to hold the event loop
const gunzipAsync = promisify(gunzip);

/** An execution's input as it ran: what a replay or a dry run feeds the detector again. */
export interface StoredExecutionInput {
  executionId: string;
  projectId: string;
  /** The rows of its rows.ndjson, decompressed and parsed, in order. */
  rows: unknown[];
  window: { start: Date; end: Date };
  /** The rules' parameters as run, by rule id. */
  parameters: JsonObject;
  detectorHash: string | null;
  rowCount: number;
  /** Compressed size. */
  bytes: number;
  /** Size of rows.ndjson. */
  rawBytes: number;
}

/**
 * The stored input of an execution, or null when there is none (unknown execution, input not
 * kept or pruned: `describeExecutionInput` says which).
 */
export async function getExecutionInput(
  db: Db,
  executionId: string,
): Promise<StoredExecutionInput | null> {
  if (!/^[1-9][0-9]{0,15}$/.test(executionId)) {
    return null;
  }
  const row = await db
    .selectFrom("execution_inputs")
    .selectAll()
    .where("execution_id", "=", Number(executionId))
    .where("rows_gz", "is not", null)
    .executeTakeFirst();
  if (row?.rows_gz == null) {
    return null;
  }
  return {
    executionId: String(row.execution_id),
    projectId: row.project_id,
    rows: parseNdjson((await gunzipAsync(row.rows_gz)).toString("utf8")),
    window: { start: row.window_start, end: row.window_end },
    parameters: row.parameters,
    detectorHash: row.detector_hash,
    rowCount: row.row_count,
    bytes: row.bytes,
    rawBytes: row.raw_bytes,
  };
}

function parseNdjson(text: string): unknown[] {
  const rows: unknown[] = [];
  for (const line of text.split("\n")) {
    if (line !== "") {
      rows.push(JSON.parse(line));
    }
  }
  return rows;
}
