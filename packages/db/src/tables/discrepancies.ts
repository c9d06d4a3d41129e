import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  Id,
  Nullable,
  NullableJson,
  NullableTimestamp,
  Severity,
  Timestamp,
  WithDefault,
} from "./common.js";

/** `packages/db/README.md`, Discrepancies: the triage states and what moves between them. */
export const DISCREPANCY_STATUSES = [
  "open",
  "acknowledged",
  "muted",
  "resolved",
  "expired",
] as const;
export type DiscrepancyStatus = (typeof DISCREPANCY_STATUSES)[number];

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
  row_key: Nullable<string>;
  assignee: Nullable<string>;
  note: Nullable<string>;
  muted_until: NullableTimestamp;
  status_reason: Nullable<string>;
  status_changed_at: WithDefault<Timestamp>;
  status_changed_by: WithDefault<string>;
  regressions: WithDefault<number>;
  reopened_at: NullableTimestamp;
  last_evaluated_at: NullableTimestamp;
  last_evaluated_execution_id: Nullable<number>;
  not_evaluated_since: NullableTimestamp;
  expired_at: NullableTimestamp;
}
export type DiscrepancyRow = Selectable<DiscrepanciesTable>;
export type NewDiscrepancy = Insertable<DiscrepanciesTable>;
export type DiscrepancyUpdate = Updateable<DiscrepanciesTable>;

export interface DiscrepancyEventsTable {
  id: Id;
  project_id: string;
  fingerprint: string;
  at: WithDefault<Timestamp>;
  actor: string;
  change: string;
  from_status: Nullable<string>;
  to_status: string;
  reason: Nullable<string>;
  execution_id: Nullable<number>;
  details: NullableJson;
}
export type DiscrepancyEventRow = Selectable<DiscrepancyEventsTable>;
