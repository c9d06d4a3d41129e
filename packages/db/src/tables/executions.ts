import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  CreatedAt,
  Id,
  JsonWithDefault,
  JsonValue,
  Nullable,
  NullableJson,
  NullableTimestamp,
  Timestamp,
  WithDefault,
} from "./common.js";
import type { TriggerSource } from "./triggers.js";

/**
 * `partial`: some of the run's rules failed (the others' findings count); `failed` covers all
 * rules failing as well as the run itself failing.
 * `lost`: the run's worker died, froze past its lease or lost its connection; it was rescued. */
export type ExecutionStatus =
  | "pending"
  | "running"
  | "success"
  | "partial"
  | "failed"
  | "cancelled"
  | "timeout"
  | "lost";
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  "pending",
  "running",
  "success",
  "partial",
  "failed",
  "cancelled",
  "timeout",
  "lost",
];

export interface ExecutionsTable {
  id: Id;
  trigger_id: Nullable<number>;
  project_id: string;
  attempt: WithDefault<number>;
  status: WithDefault<ExecutionStatus>;
  source: WithDefault<TriggerSource>;
  scheduled_for: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  duration_ms: Nullable<number>;
  exit_code: Nullable<number>;
  signal: Nullable<string>;
  error_message: Nullable<string>;
  stdout_tail: Nullable<string>;
  stderr_tail: Nullable<string>;
  stdout_bytes: Nullable<number>;
  stderr_bytes: Nullable<number>;
  findings_count: WithDefault<number>;
  /** Findings dropped past the project's `max_findings_per_rule`, over all rules of the run. */
  findings_truncated: WithDefault<number>;
  rules_total: WithDefault<number>;
  rules_failed: WithDefault<number>;
  rule_results: JsonWithDefault<JsonValue[]>;
  row_count: Nullable<number>;
  detector_hash: Nullable<string>;
  /** Which sandbox layers held for the run's detector process (booleans by layer name). */
  sandbox: NullableJson<Record<string, boolean>>;
  worker_id: Nullable<string>;
  window_start: NullableTimestamp;
  window_end: NullableTimestamp;
  created_at: CreatedAt;
}
export type ExecutionRow = Selectable<ExecutionsTable>;
export type NewExecution = Insertable<ExecutionsTable>;
export type ExecutionUpdate = Updateable<ExecutionsTable>;
