// The front door of @vigil/db: named exports only. Test fixtures live in "@vigil/db/testing",
// the embedded server in "@vigil/db/embedded".
export {
  createDb,
  createPool,
  type CreateDbOptions,
  type Db,
  type DbHandle,
  type DbTransaction,
} from "./pool.js";
export {
  migrateToLatest,
  pendingMigrations,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SQL_DIR,
  SqlFileMigrationProvider,
  type MigrateResult,
  type SqlDirOption,
} from "./migrate.js";
export {
  PG_ERROR,
  isForeignKeyViolation,
  isRetryable,
  isUniqueViolation,
} from "./errors.js";
export {
  inTransaction,
  isTransactionConflict,
  type TransactionOptions,
} from "./transaction.js";
export { LOCK_KEYS, tryLeaderLock, type LeaderLock } from "./advisory-lock.js";
export {
  createWorkerLock,
  WORKER_LOCK_CLASS,
  WORKER_LOCK_SETTLE_MS,
  type WorkerLock,
  type WorkerLockOptions,
} from "./worker-lock.js";
export {
  CHANNELS,
  listenForNotifications,
  type Channel,
  type ListenOptions,
  type Listener,
} from "./notify.js";
export type { Database } from "./database.js";
export {
  SEVERITIES,
  toJson,
  type Json,
  type JsonObject,
  type JsonValue,
  type Severity,
} from "./tables/common.js";
export type {
  ProjectRow,
  NewProject,
  ProjectUpdate,
} from "./tables/projects.js";
export type {
  ScheduleRow,
  NewSchedule,
  ScheduleUpdate,
  ConcurrencyPolicy,
  MisfirePolicy,
} from "./tables/schedules.js";
export type { RuleRow, NewRule, RuleUpdate } from "./tables/rules.js";
export {
  TERMINAL_TRIGGER_STATUSES,
  type TriggerRow,
  type NewTrigger,
  type TriggerUpdate,
  type TriggerSource,
  type TriggerStatus,
  type Fence,
} from "./tables/triggers.js";
export {
  EXECUTION_STATUSES,
  type ExecutionRow,
  type NewExecution,
  type ExecutionUpdate,
  type ExecutionStatus,
} from "./tables/executions.js";
export type { FindingRow, NewFinding } from "./tables/findings.js";
export type {
  DiscrepancyRow,
  NewDiscrepancy,
  DiscrepancyUpdate,
  DiscrepancyStatus,
} from "./tables/discrepancies.js";
export type {
  ReportOutboxRow,
  NewReportOutbox,
  ReportOutboxUpdate,
  OutboxKind,
  OutboxStatus,
  ReportDeliveryAttemptRow,
  NewReportDeliveryAttempt,
} from "./tables/report-outbox.js";
export type {
  DatasetRow,
  NewDataset,
  DatasetFormat,
} from "./tables/datasets.js";
export type {
  WorkerRow,
  NewWorker,
  WorkerUpdate,
  AppName,
  WorkerStatus,
} from "./tables/workers.js";
export type {
  MaintenanceRunRow,
  NewMaintenanceRun,
} from "./tables/maintenance-runs.js";
// Queries: one statement per file under ./queries/<table>/<verb>.ts. Add lines below (append only).
export {
  registerWorker,
  type RegisterWorkerOptions,
} from "./queries/workers/register.js";
export {
  heartbeatWorker,
  setWorkerStatus,
  type HeartbeatOptions,
} from "./queries/workers/heartbeat.js";
export { markDeadWorkers } from "./queries/workers/mark-dead.js";
export {
  createWorkerPresence,
  newWorkerId,
  type WorkerPresence,
  type WorkerPresenceOptions,
} from "./worker-presence.js";
export {
  applyProject,
  type ApplyProjectInput,
  type ApplyProjectResult,
} from "./queries/projects/apply.js";
export { seedDemoData, DEMO_PLANTED } from "./demo/seed-demo-data.js";
// API (issue 8)
export {
  createProject,
  type CreatedProject,
} from "./queries/projects/create.js";
export { getProject } from "./queries/projects/get.js";
export {
  listProjects,
  listAllProjects,
  type ListProjectsOptions,
  type ProjectListItem,
} from "./queries/projects/list.js";
export { updateProject, type ProjectPatch } from "./queries/projects/update.js";
export { deleteProject } from "./queries/projects/delete.js";
export { lockProjectForWrite } from "./queries/projects/lock.js";
export {
  getProjectRunSummary,
  type ProjectRunSummary,
} from "./queries/projects/summary.js";
export {
  requestProjectRun,
  type RequestRunOptions,
} from "./queries/projects/request-run.js";
export {
  deleteFinishedHistory,
  type CleanupCounts,
} from "./queries/projects/cleanup.js";
export { notifySchedulesChanged } from "./queries/projects/notify-changed.js";
export {
  listProjectSchedules,
  getProjectSchedule,
  listAllSchedules,
} from "./queries/schedules/crud-list.js";
export {
  createSchedule,
  type ScheduleFields,
} from "./queries/schedules/crud-create.js";
export { updateSchedule } from "./queries/schedules/crud-update.js";
export { deleteSchedule } from "./queries/schedules/crud-delete.js";
export { listProjectRules, listAllRules } from "./queries/rules/list.js";
export { getProjectRule } from "./queries/rules/get.js";
export { createRule, type RuleFields } from "./queries/rules/create.js";
export { updateRule } from "./queries/rules/update.js";
export { deleteRule } from "./queries/rules/delete.js";
export {
  listProjectExecutions,
  EXECUTION_LIST_COLUMNS,
  type ExecutionListItem,
  type ListExecutionsOptions,
} from "./queries/executions/list.js";
export {
  getExecutionDetail,
  type ExecutionDetail,
} from "./queries/executions/get.js";
export {
  existingRunFolderExecutions,
  runFolderKey,
} from "./queries/executions/existing-run-folders.js";
export {
  getExecutionStats,
  type ExecutionStats,
  type ExecutionStatsOptions,
} from "./queries/executions/stats.js";
export {
  listProjectDiscrepancies,
  type ListDiscrepanciesOptions,
} from "./queries/discrepancies/list.js";
export { listQueue, type QueueItem } from "./queries/queue/list.js";
export { getQueueDepth, type QueueDepth } from "./queries/queue/depth.js";
export { listLiveWorkers, type LiveWorker } from "./queries/status/workers.js";
export {
  readFleetSnapshot,
  type FleetSnapshot,
  type FleetSnapshotOptions,
} from "./queries/status/metrics.js";
export { databaseNotReady } from "./queries/status/readiness.js";
export {
  insertDataset,
  type InsertDatasetOptions,
  type DatasetSummary,
} from "./queries/datasets/insert.js";
export { getTriggerProgress } from "./queries/executions/for-trigger.js";
export {
  listSchedulesToMaterialize,
  type ListSchedulesToMaterializeOptions,
  type ScheduleToMaterialize,
} from "./queries/schedules/list-to-materialize.js";
export {
  advanceScheduleCursors,
  type ScheduleCursor,
} from "./queries/schedules/advance-cursors.js";
export { lockSchedulesForMaterialize } from "./queries/schedules/lock-for-materialize.js";
export {
  settleMissedTriggers,
  type SettleMissedOptions,
  type SettleMissedResult,
} from "./queries/triggers/settle-missed.js";
export {
  listProjectRuns,
  type ListProjectRunsOptions,
  type ProjectRun,
} from "./queries/triggers/list-project-runs.js";
export {
  markSchedulesInvalid,
  type InvalidScheduleMark,
} from "./queries/schedules/mark-invalid.js";
export { readDatabaseTime } from "./queries/schedules/read-database-time.js";
export {
  insertScheduledTriggers,
  type ScheduledTriggerInput,
} from "./queries/triggers/create.js";
export {
  cancelStaleTriggers,
  cancelSuspendedScheduleTriggers,
  cancelOrphanedTriggers,
  type ScheduleVersion,
  type SuspendedSweep,
} from "./queries/triggers/cancel-stale.js";
export {
  listFinishedExecutions,
  type FinishedCursor,
  type ListFinishedOptions,
} from "./queries/executions/list-recent.js";
export {
  enqueueOutboxEntry,
  type OutboxEntry,
} from "./queries/report-outbox/enqueue.js";
export {
  enqueueAlertUnlessThrottled,
  type AlertEnqueueResult,
} from "./queries/report-outbox/enqueue-alert.js";
export {
  listOpenDiscrepanciesForReport,
  type ReportDiscrepancy,
} from "./queries/report-outbox/open-discrepancies.js";
export {
  claimDueReports,
  type ClaimReportsOptions,
} from "./queries/report-outbox/claim.js";
export {
  finishDeliveryAttempt,
  type AttemptRecord,
  type AttemptResult,
  type FinishAttemptOutcome,
  type OutboxFence,
} from "./queries/report-outbox/finish-attempt.js";
export { msUntilNextReportDue } from "./queries/report-outbox/next-due.js";
export {
  requeueDeadReport,
  type RequeueResult,
} from "./queries/report-outbox/requeue.js";
export {
  listDeadReports,
  listDeliveriesForExecution,
  type ListDeadOptions,
  type OutboxRowWithAttempts,
} from "./queries/report-outbox/list.js";
// executor (issue 4): claim, lease, finish, rescue, record
export {
  claimDueTriggers,
  type ClaimOptions,
  type ClaimResult,
  type ClaimedTrigger,
} from "./queries/triggers/claim.js";
export type { ClaimFence } from "./queries/triggers/claim-fence.js";
export { msUntilNextClaimable } from "./queries/triggers/claim-wait.js";
export {
  extendLeases,
  type ExtendLeasesOptions,
} from "./queries/triggers/lease.js";
export { releaseOrphanedClaims } from "./queries/triggers/release-orphaned.js";
export {
  rescueLostRuns,
  type RescueCause,
  type RescueOptions,
  type RescuedRun,
} from "./queries/triggers/rescue.js";
export { insertFindings } from "./queries/findings/insert-many.js";
export {
  updateDiscrepancies,
  type DiscrepancyTransition,
  type DiscrepancyTransitionKind,
  type SeenFinding,
  type UpdateDiscrepanciesOptions,
} from "./queries/discrepancies/update.js";
export {
  getProjectForRun,
  type ProjectForRun,
} from "./queries/projects/get-for-run.js";
export { listActiveRules } from "./queries/rules/list-active.js";
export { getLatestDataset } from "./queries/datasets/latest.js";
export {
  findExecutionCutoffs,
  type ExecutionCutoffs,
} from "./queries/executions/prune-cutoffs.js";
export {
  pruneExecutionsBatch,
  type PruneExecutionsBatchOptions,
  type PrunedBatch,
  type RetentionPolicy,
} from "./queries/executions/prune.js";
export {
  pruneProjectHistory,
  type PruneProjectHistoryOptions,
  type PrunedHistory,
} from "./queries/executions/prune-project.js";
export {
  pruneFinishedTriggers,
  type PruneTriggersOptions,
  type PrunedTriggers,
  type TriggerCursor,
} from "./queries/triggers/prune.js";
export {
  pruneFinishedReports,
  type PruneReportsOptions,
} from "./queries/report-outbox/prune.js";
export { pruneDeadWorkers } from "./queries/workers/prune.js";
export { pruneMaintenanceRuns } from "./queries/maintenance-runs/prune.js";
export {
  startMaintenanceRun,
  finishMaintenanceRun,
  type PrunedCounts,
} from "./queries/maintenance-runs/record.js";
export { getLastMaintenanceRun } from "./queries/maintenance-runs/get-last.js";
export {
  listProjectRetentionOverrides,
  type ProjectRetentionOverride,
} from "./queries/projects/prune-policies.js";
export {
  loadReportContext,
  type ReportContext,
} from "./queries/report-outbox/report-context.js";
export {
  finishRun,
  finishRuns,
  type ExecutionResult,
  type FinishRunOptions,
  type FinishRunsItem,
  type FinishRunsResult,
  type TriggerTransition,
} from "./queries/executions/finish-runs.js";
// audit trail (issue 19): hash-chained audit_events
export type { AuditEventRow } from "./tables/audit-events.js";
export {
  appendAuditEvent,
  type AppendedAuditEvent,
  type AuditEventInput,
} from "./audit/append.js";
export {
  canonicalAuditForm,
  hashAuditEvent,
  type HashedAuditFields,
} from "./audit/canonical.js";
export { redactSecrets, REDACTED } from "./audit/redact.js";
export { verifyAuditChain, type AuditChainVerdict } from "./audit/verify.js";
export { lockAuditTarget } from "./queries/audit/lock-target.js";
export {
  listAuditEvents,
  type ListAuditEventsOptions,
} from "./queries/audit/list.js";
export { pruneAuditEvents } from "./queries/audit/prune.js";
// bearer tokens as data (issue 19): api_tokens
export type {
  ApiTokenInfo,
  ApiTokenRow,
  ApiTokenScope,
} from "./tables/api-tokens.js";
export {
  API_TOKEN_PREFIX,
  apiTokenSecretHash,
  newApiTokenSecret,
} from "./api-token-secret.js";
export {
  insertApiToken,
  type NewApiToken,
} from "./queries/api-tokens/insert.js";
export { findApiTokenByHash } from "./queries/api-tokens/find-by-hash.js";
export { listApiTokens } from "./queries/api-tokens/list.js";
export { revokeApiToken } from "./queries/api-tokens/revoke.js";
export { touchApiToken } from "./queries/api-tokens/touch.js";
export { readProjectAuditState } from "./audit/project-state.js";
export {
  pruneAuditBatch,
  AUDIT_PRUNE_ACTION,
  type AuditPruneRecord,
} from "./audit/prune.js";
