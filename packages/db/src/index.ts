// The front door of @vigil/db: named exports only. Test fixtures live in "@vigil/db/testing",
// the embedded server in "@vigil/db/embedded".
export { createDb, createPool, type CreateDbOptions, type Db, type DbHandle } from "./pool.js";
export { migrateToLatest, pendingMigrations, DEFAULT_MIGRATIONS_DIR, SqlFileMigrationProvider, type MigrateResult } from "./migrate.js";
export { PG_ERROR, isForeignKeyViolation, isRetryable, isUniqueViolation } from "./errors.js";
export { LOCK_KEYS, tryLeaderLock, type LeaderLock } from "./advisory-lock.js";
export { CHANNELS, listenForNotifications, type Channel, type ListenOptions, type Listener } from "./notify.js";
export type { Database } from "./database.js";
export { SEVERITIES, toJson, type Json, type JsonObject, type JsonValue, type Severity } from "./tables/common.js";
export type { ProjectRow, NewProject, ProjectUpdate } from "./tables/projects.js";
export type { ScheduleRow, NewSchedule, ScheduleUpdate, ConcurrencyPolicy, MisfirePolicy } from "./tables/schedules.js";
export type { RuleRow, NewRule, RuleUpdate } from "./tables/rules.js";
export { TERMINAL_TRIGGER_STATUSES, type TriggerRow, type NewTrigger, type TriggerUpdate, type TriggerSource, type TriggerStatus, type Fence } from "./tables/triggers.js";
export { EXECUTION_STATUSES, type ExecutionRow, type NewExecution, type ExecutionUpdate, type ExecutionStatus } from "./tables/executions.js";
export type { FindingRow, NewFinding } from "./tables/findings.js";
export type { DiscrepancyRow, NewDiscrepancy, DiscrepancyUpdate, DiscrepancyStatus } from "./tables/discrepancies.js";
export type { ReportOutboxRow, NewReportOutbox, ReportOutboxUpdate, OutboxKind, OutboxStatus, ReportDeliveryAttemptRow, NewReportDeliveryAttempt } from "./tables/report-outbox.js";
export type { DatasetRow, NewDataset, DatasetFormat } from "./tables/datasets.js";
export type { WorkerRow, NewWorker, WorkerUpdate, AppName, WorkerStatus } from "./tables/workers.js";
export type { MaintenanceRunRow, NewMaintenanceRun } from "./tables/maintenance-runs.js";
// Queries: one statement per file under ./queries/<table>/<verb>.ts. Add lines below (append only).
export { registerWorker, type RegisterWorkerOptions } from "./queries/workers/register.js";
export { heartbeatWorker, setWorkerStatus, type HeartbeatOptions } from "./queries/workers/heartbeat.js";
export { markDeadWorkers } from "./queries/workers/mark-dead.js";
export { createWorkerPresence, newWorkerId, type WorkerPresence, type WorkerPresenceOptions } from "./worker-presence.js";
