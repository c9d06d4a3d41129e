import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  Nullable,
  NullableJson,
  NullableTimestamp,
  Severity,
  Timestamp,
  WithDefault,
} from "./common.js";

export type DiscrepancyStatus = "open" | "resolved";

export interface DiscrepanciesTable {
  project_id: string;
  fingerprint: string;
  rule_id: string;
  finding_key: string;
  severity: Severity;
  message: string;
  data: NullableJson;
  status: WithDefault<DiscrepancyStatus>;
  occurrences: WithDefault<number>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: NullableTimestamp;
  first_execution_id: number;
  last_execution_id: number;
  resolved_execution_id: Nullable<number>;
}
export type DiscrepancyRow = Selectable<DiscrepanciesTable>;
export type NewDiscrepancy = Insertable<DiscrepanciesTable>;
export type DiscrepancyUpdate = Updateable<DiscrepanciesTable>;
