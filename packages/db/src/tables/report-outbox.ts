import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  CreatedAt,
  Id,
  Json,
  JsonWithDefault,
  JsonValue,
  Nullable,
  NullableTimestamp,
  WithDefault,
} from "./common.js";

export type OutboxKind = "report" | "alert";
export type OutboxStatus = "pending" | "delivering" | "delivered" | "dead";
export type OutboxChannelKind = "webhook" | "slack" | "email";

export interface ReportOutboxTable {
  id: Id;
  project_id: string;
  execution_id: Nullable<number>;
  kind: WithDefault<OutboxKind>;
  idempotency_key: string;
  target_env: Nullable<string>;
  payload: Json<JsonValue>;
  /** The project's channel name, or 'default' for the implicit report URL / Slack webhook. */
  channel_name: WithDefault<string>;
  channel_kind: WithDefault<OutboxChannelKind>;
  /** No secrets: an email's to/from/subject_prefix. */
  channel_options: JsonWithDefault<JsonValue>;
  status: WithDefault<OutboxStatus>;
  attempts: WithDefault<number>;
  max_attempts: WithDefault<number>;
  next_attempt_at: CreatedAt;
  claimed_by: Nullable<string>;
  lease_expires_at: NullableTimestamp;
  last_status_code: Nullable<number>;
  last_error: Nullable<string>;
  delivered_at: NullableTimestamp;
  dead_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}
export type ReportOutboxRow = Selectable<ReportOutboxTable>;
export type NewReportOutbox = Insertable<ReportOutboxTable>;
export type ReportOutboxUpdate = Updateable<ReportOutboxTable>;

export interface ReportDeliveryAttemptsTable {
  id: Id;
  outbox_id: number;
  attempt: number;
  worker_id: Nullable<string>;
  started_at: Date | string;
  latency_ms: Nullable<number>;
  status_code: Nullable<number>;
  error: Nullable<string>;
  created_at: CreatedAt;
}
export type ReportDeliveryAttemptRow = Selectable<ReportDeliveryAttemptsTable>;
export type NewReportDeliveryAttempt = Insertable<ReportDeliveryAttemptsTable>;
