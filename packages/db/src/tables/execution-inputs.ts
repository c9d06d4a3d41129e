import type { ColumnType, Insertable, Selectable } from "kysely";

import type {
  CreatedAt,
  JsonObject,
  JsonWithDefault,
  Nullable,
  NullableTimestamp,
  Timestamp,
} from "./common.js";

/** Why an execution's rows are not (or no longer) kept (migrations/0026_execution_inputs.sql). */
export type InputNotKept = "too_large" | "pruned_age" | "pruned_total";

/** bigint byte counts; the pool parses int8 as a JS number. */
type Bytes = ColumnType<number, number, number>;

/** One execution's loaded input, kept for replay and dry runs. */
export interface ExecutionInputsTable {
  execution_id: number;
  project_id: string;
  window_start: Timestamp;
  window_end: Timestamp;
  detector_hash: Nullable<string>;
  /** The rules' parameters as run, by rule id. */
  parameters: JsonWithDefault<JsonObject>;
  row_count: number;
  /** Size of the gzip (also when it was too large to keep). */
  bytes: Bytes;
  /** Size of rows.ndjson before compression. */
  raw_bytes: Bytes;
  /** gzip of the run folder's rows.ndjson; null when not kept (`not_kept` says why). */
  rows_gz: Nullable<Buffer>;
  not_kept: Nullable<InputNotKept>;
  pruned_at: NullableTimestamp;
  created_at: CreatedAt;
}
export type ExecutionInputRow = Selectable<ExecutionInputsTable>;
export type NewExecutionInput = Insertable<ExecutionInputsTable>;
