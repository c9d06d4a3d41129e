import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  CreatedAt,
  Id,
  Nullable,
  NullableTimestamp,
  Timestamp,
  WithDefault,
} from "./common.js";
import type { ConcurrencyPolicy } from "./schedules.js";

export type TriggerSource =
  "schedule" | "manual" | "retry" | "catchup" | "backfill" | "replay";
export type TriggerStatus =
  "pending" | "running" | "succeeded" | "failed" | "skipped" | "cancelled";
export const TERMINAL_TRIGGER_STATUSES = [
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
] as const;

export interface TriggersTable {
  id: Id;
  schedule_id: Nullable<number>;
  project_id: string;
  fire_at: Timestamp;
  available_at: Timestamp;
  source: TriggerSource;
  status: WithDefault<TriggerStatus>;
  /** Runs spent: the detector ran and failed. A rescued run does not count. */
  attempt: WithDefault<number>;
  /** Runs taken back from a worker that died, froze past its lease or lost its connection. */
  rescues: WithDefault<number>;
  max_attempts: WithDefault<number>;
  concurrency_policy: WithDefault<ConcurrencyPolicy>;
  starting_deadline_seconds: Nullable<number>;
  schedule_version: Nullable<number>;
  window_start: NullableTimestamp;
  window_end: NullableTimestamp;
  requested_by: Nullable<string>;
  claimed_by: Nullable<string>;
  claimed_at: NullableTimestamp;
  lease_expires_at: NullableTimestamp;
  last_error: Nullable<string>;
  /** A `forbid` skip: the running trigger whose run caused it. */
  skipped_for_trigger_id: Nullable<number>;
  finished_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** Set by the claim: the project's team, whose running count this run is part of while running. */
  team: Nullable<string>;
  /** The backfill that made this trigger (source `backfill`); null for every other source. */
  backfill_id: Nullable<number>;
  /** The execution a `replay` trigger re-runs on its stored input; null for every other source. */
  replay_of: Nullable<number>;
}
export type TriggerRow = Selectable<TriggersTable>;
export type NewTrigger = Insertable<TriggersTable>;
export type TriggerUpdate = Updateable<TriggersTable>;

/** Every write about a claimed trigger carries this: it only applies while we still own it. */
export interface Fence {
  triggerId: number;
  workerId: string;
}
