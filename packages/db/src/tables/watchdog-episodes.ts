import type { Selectable } from "kysely";

import type {
  CreatedAt,
  Id,
  Nullable,
  NullableTimestamp,
  Timestamp,
} from "./common.js";

/** A schedule that went silent, as the watchdog recorded it (migrations/0025_watchdog.sql). */
export interface WatchdogEpisodesTable {
  id: Id;
  project_id: string;
  /** Null once the schedule was deleted. */
  schedule_id: Nullable<number>;
  opened_at: CreatedAt;
  closed_at: NullableTimestamp;
  close_reason: Nullable<string>;
  /** The fire time whose window passed without a finished run, when the episode opened. */
  expected_at: Timestamp;
  /** The schedule's newest finished execution before the episode opened. */
  last_finished_at: NullableTimestamp;
  /** What the trigger rows show, kept current while the episode is open. */
  reason: string;
  /** When its alert was queued; null: the project has no alert target. */
  alerted_at: NullableTimestamp;
  updated_at: CreatedAt;
}
export type WatchdogEpisodeRow = Selectable<WatchdogEpisodesTable>;
