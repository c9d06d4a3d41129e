import type { Selectable } from "kysely";

import type {
  CreatedAt,
  Id,
  Nullable,
  NullableTimestamp,
  Timestamp,
} from "./common.js";

/** What the trigger rows showed when the watchdog looked (docs/operations.md, "Watchdog"). */
export type WatchdogReason =
  "missed" | "stuck" | "skipped" | "cancelled" | "no_trigger";

/** Why an episode ended. */
export type WatchdogCloseReason =
  "recovered" | "schedule_paused" | "schedule_deleted" | "schedule_changed";

/** A schedule that went silent, as the watchdog recorded it (migrations/0022_watchdog.sql). */
export interface WatchdogEpisodesTable {
  id: Id;
  project_id: string;
  /** Null once the schedule was deleted. */
  schedule_id: Nullable<number>;
  opened_at: CreatedAt;
  closed_at: NullableTimestamp;
  close_reason: Nullable<WatchdogCloseReason>;
  /** The fire time whose window passed without a finished run, when the episode opened. */
  expected_at: Timestamp;
  /** When the schedule's newest finished run finished, before the episode opened. */
  last_finished_at: NullableTimestamp;
  /** What the trigger rows show, kept current while the episode is open. */
  reason: WatchdogReason;
  /** The same for a person: counts and instants. */
  detail: string;
  /** When its alert was queued; null: not yet, or the project has no alert config. */
  alerted_at: NullableTimestamp;
  updated_at: CreatedAt;
}
export type WatchdogEpisodeRow = Selectable<WatchdogEpisodesTable>;
