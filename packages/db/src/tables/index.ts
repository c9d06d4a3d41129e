// The row types of every table (kysely's Selectable / Insertable / Updateable), one file a
// table. The package's front door (../index.ts) re-exports all of it.
export {
  SEVERITIES,
  toJson,
  type Json,
  type JsonObject,
  type JsonValue,
  type Severity,
} from "./common.js";
export type { ProjectRow, NewProject, ProjectUpdate } from "./projects.js";
export type {
  ScheduleRow,
  NewSchedule,
  ScheduleUpdate,
  ConcurrencyPolicy,
  MisfirePolicy,
} from "./schedules.js";
export type { RuleRow, NewRule, RuleUpdate } from "./rules.js";
export type { BackfillRow, BackfillStatus, NewBackfill } from "./backfills.js";
export type {
  DryRunRequestRow,
  DryRunRequestStatus,
} from "./dry-run-requests.js";
export type {
  ExecutionInputRow,
  InputNotKept,
  NewExecutionInput,
} from "./execution-inputs.js";
export {
  TERMINAL_TRIGGER_STATUSES,
  type TriggerRow,
  type NewTrigger,
  type TriggerUpdate,
  type TriggerSource,
  type TriggerStatus,
  type Fence,
} from "./triggers.js";
export {
  EXECUTION_STATUSES,
  type ExecutionRow,
  type NewExecution,
  type ExecutionUpdate,
  type ExecutionStatus,
} from "./executions.js";
export type { FindingRow, NewFinding } from "./findings.js";
export type {
  DiscrepancyRow,
  NewDiscrepancy,
  DiscrepancyUpdate,
  DiscrepancyStatus,
  DiscrepancyEventRow,
} from "./discrepancies.js";
export { DISCREPANCY_STATUSES } from "./discrepancies.js";
export type {
  ReportOutboxRow,
  NewReportOutbox,
  ReportOutboxUpdate,
  OutboxChannelKind,
  OutboxKind,
  OutboxStatus,
  ReportDeliveryAttemptRow,
  NewReportDeliveryAttempt,
} from "./report-outbox.js";
export type { ProjectAlertStateRow, ReportDigestRow } from "./report-state.js";
export type { DatasetRow, NewDataset, DatasetFormat } from "./datasets.js";
export type {
  WorkerRow,
  NewWorker,
  WorkerUpdate,
  AppName,
  WorkerStatus,
} from "./workers.js";
export type {
  MaintenanceRunRow,
  NewMaintenanceRun,
} from "./maintenance-runs.js";
export type { AuditEventRow } from "./audit-events.js";
export type {
  WatchdogCloseReason,
  WatchdogEpisodeRow,
  WatchdogReason,
} from "./watchdog-episodes.js";
export type { ApiTokenInfo, ApiTokenRow, ApiTokenScope } from "./api-tokens.js";
