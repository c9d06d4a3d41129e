import type { Insertable, Selectable } from "kysely";

import type {
  Id,
  JsonObject,
  JsonWithDefault,
  Nullable,
  NullableTimestamp,
  WithDefault,
} from "./common.js";

export interface MaintenanceRunsTable {
  id: Id;
  worker_id: Nullable<string>;
  kind: WithDefault<"retention">;
  started_at: Date | string;
  finished_at: NullableTimestamp;
  duration_ms: Nullable<number>;
  pruned: JsonWithDefault<JsonObject>;
  error: Nullable<string>;
}
export type MaintenanceRunRow = Selectable<MaintenanceRunsTable>;
export type NewMaintenanceRun = Insertable<MaintenanceRunsTable>;
