import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  CreatedAt,
  Id,
  Nullable,
  NullableTimestamp,
  WithDefault,
} from "./common.js";

export type ConcurrencyPolicy = "allow" | "forbid" | "replace";
export type MisfirePolicy = "skip" | "run_once" | "run_all";

export interface SchedulesTable {
  id: Id;
  project_id: string;
  cron_expression: string;
  timezone: WithDefault<string>;
  concurrency_policy: WithDefault<ConcurrencyPolicy>;
  misfire_policy: WithDefault<MisfirePolicy>;
  starting_deadline_seconds: Nullable<number>;
  is_active: WithDefault<boolean>;
  version: WithDefault<number>;
  materialized_until: NullableTimestamp;
  /** The version the cursor and the pending triggers were made from (migration 0003). */
  materialized_version: Nullable<number>;
  /** The first fire time after materialized_until, not made yet (migration 0003). */
  next_unmaterialized_at: NullableTimestamp;
  invalid_reason: Nullable<string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}
export type ScheduleRow = Selectable<SchedulesTable>;
export type NewSchedule = Insertable<SchedulesTable>;
export type ScheduleUpdate = Updateable<SchedulesTable>;
