import type { Selectable } from "kysely";

import type {
  CreatedAt,
  NullableTimestamp,
  Nullable,
  WithDefault,
} from "./common.js";

/** Per-project failure-alert state (migrations/0023_report_transitions.sql). */
export interface ProjectAlertStatesTable {
  project_id: string;
  /** Final runs in a row that ended in a status of `alert.on`. */
  consecutive_failures: WithDefault<number>;
  /** When this failure episode alerted; null: not alerting. */
  alerted_at: NullableTimestamp;
  alert_execution_id: Nullable<number>;
  updated_at: CreatedAt;
}
export type ProjectAlertStateRow = Selectable<ProjectAlertStatesTable>;

/** How far a project's digests have got (`report.digest`). */
export interface ReportDigestsTable {
  project_id: string;
  /** Executions with a higher id are not in a digest yet. */
  last_execution_id: WithDefault<number>;
  last_sent_at: NullableTimestamp;
  sent: WithDefault<number>;
  updated_at: CreatedAt;
}
export type ReportDigestRow = Selectable<ReportDigestsTable>;
