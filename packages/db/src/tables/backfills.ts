import type { Insertable, Selectable } from "kysely";

import type {
  CreatedAt,
  Id,
  Nullable,
  NullableTimestamp,
  Timestamp,
  WithDefault,
} from "./common.js";

export type BackfillStatus = "running" | "done" | "cancelled";

/** A range cut into windows, each run once as a `backfill` trigger (migrations/0025_backfills.sql). */
export interface BackfillsTable {
  id: Id;
  project_id: string;
  range_start: Timestamp;
  range_end: Timestamp;
  /** The ISO 8601 duration as given; `step_ms` is its length. */
  step: string;
  step_ms: number;
  concurrency: WithDefault<number>;
  status: WithDefault<BackfillStatus>;
  /** Windows in the range: ceil((range_end - range_start) / step_ms). */
  total: number;
  /** The cursor: windows below it have a trigger, made by this backfill or found already there. */
  next_window: WithDefault<number>;
  /** Windows below the cursor whose trigger an earlier backfill had already made. */
  existing: WithDefault<number>;
  requested_by: Nullable<string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  finished_at: NullableTimestamp;
}
export type BackfillRow = Selectable<BackfillsTable>;
export type NewBackfill = Insertable<BackfillsTable>;
