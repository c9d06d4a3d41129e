// Every query of @vigil/db, by the table it serves: one statement per file under
// ./<table>/<verb>.ts. The package's front door (../index.ts) re-exports all of it.

// api-tokens
export { insertApiToken, type NewApiToken } from "./api-tokens/insert.js";
export { findApiTokenByHash } from "./api-tokens/find-by-hash.js";
export { listApiTokens } from "./api-tokens/list.js";
export { revokeApiToken } from "./api-tokens/revoke.js";
export { touchApiToken } from "./api-tokens/touch.js";

// dry-run-requests
export {
  insertDryRunRequest,
  type NewDryRunRequest,
} from "./dry-run-requests/insert.js";
export {
  claimDryRunRequest,
  type ClaimedDryRun,
} from "./dry-run-requests/claim.js";
export { renewDryRunLease } from "./dry-run-requests/renew.js";
export { finishDryRunRequest } from "./dry-run-requests/finish.js";
export { takeDryRunAnswer } from "./dry-run-requests/take-answer.js";
export { deleteDryRunRequest } from "./dry-run-requests/delete.js";
export { pruneExpiredDryRunRequests } from "./dry-run-requests/prune-expired.js";

// audit
export { lockAuditTarget } from "./audit/lock-target.js";
export { listAuditEvents, type ListAuditEventsOptions } from "./audit/list.js";
export { pruneAuditEvents } from "./audit/prune.js";

// backfills
export {
  insertBackfill,
  type InsertBackfillOptions,
} from "./backfills/create.js";
export { notifyBackfillCreated } from "./backfills/notify-created.js";
export { listRunningBackfillIds } from "./backfills/list-running.js";
export { lockRunningBackfill, type LockedBackfill } from "./backfills/lock.js";
export {
  findNextBackfillWindows,
  type BackfillWindow,
} from "./backfills/next-windows.js";
export {
  insertBackfillTriggers,
  type InsertBackfillTriggersOptions,
} from "./backfills/insert-triggers.js";
export {
  advanceBackfill,
  type AdvanceBackfillOptions,
} from "./backfills/advance.js";
export { getBackfillProgress, type BackfillProgress } from "./backfills/get.js";
export { cancelBackfill } from "./backfills/cancel.js";
export { cancelPendingBackfillTriggers } from "./backfills/cancel-triggers.js";

// datasets
export {
  insertDataset,
  type InsertDatasetOptions,
  type DatasetSummary,
} from "./datasets/insert.js";
export { getLatestDataset } from "./datasets/latest.js";

// discrepancies
export {
  getDiscrepancyDetail,
  type DiscrepancyDetail,
  type DiscrepancySighting,
} from "./discrepancies/detail.js";
export {
  listProjectDiscrepancies,
  type DiscrepancyListPosition,
  type ListDiscrepanciesOptions,
  type ListedDiscrepancy,
} from "./discrepancies/list.js";
export {
  applyTriage,
  type TriageChange,
  type TriageResult,
  type TriageStatus,
} from "./discrepancies/triage.js";
export { listTriageStates } from "./discrepancies/triage-states.js";
export { planDiscrepancyUpdate } from "./discrepancies/plan-update.js";
export {
  updateDiscrepancies,
  type DiscrepancyTransition,
  type DiscrepancyTransitionKind,
  type SeenFinding,
  type UpdateDiscrepanciesOptions,
} from "./discrepancies/update.js";

export {
  listProjectOverviews,
  type ProjectOverview,
} from "./projects/overviews.js";

// executions
export {
  listProjectExecutions,
  EXECUTION_LIST_COLUMNS,
  type ExecutionListItem,
  type ListExecutionsOptions,
} from "./executions/list.js";
export { getExecutionDetail, type ExecutionDetail } from "./executions/get.js";
export {
  listRecentFailures,
  type ListRecentFailuresOptions,
} from "./executions/list-failures.js";
export {
  existingRunFolderExecutions,
  runFolderKey,
} from "./executions/existing-run-folders.js";
export {
  getExecutionStats,
  type ExecutionStats,
  type ExecutionStatsOptions,
} from "./executions/stats.js";
export { getTriggerProgress } from "./executions/for-trigger.js";
export {
  listFinishedExecutions,
  type FinishedCursor,
  type ListFinishedOptions,
} from "./executions/list-recent.js";
export {
  findExecutionCutoffs,
  type ExecutionCutoffs,
} from "./executions/prune-cutoffs.js";
export {
  pruneExecutionsBatch,
  type PruneExecutionsBatchOptions,
  type PrunedBatch,
  type RetentionPolicy,
} from "./executions/prune.js";
export {
  pruneProjectHistory,
  type PruneProjectHistoryOptions,
  type PrunedHistory,
} from "./executions/prune-project.js";
export {
  finishRun,
  finishRuns,
  type ExecutionResult,
  type FinishRunOptions,
  type FinishRunsItem,
  type FinishRunsResult,
  type TriggerTransition,
} from "./executions/finish-runs.js";

// execution-inputs
export {
  describeExecutionInput,
  type ExecutionInputState,
} from "./execution-inputs/describe.js";
export {
  getExecutionInput,
  type StoredExecutionInput,
} from "./execution-inputs/get.js";
export { insertExecutionInputs } from "./execution-inputs/insert.js";
export { pruneExecutionInputsByAge } from "./execution-inputs/prune-age.js";
export { pruneExecutionInputsOverTotal } from "./execution-inputs/prune-total.js";
export { getReplayOf } from "./execution-inputs/replay-of.js";
export { requestReplay } from "./execution-inputs/request-replay.js";

// findings
export { insertFindings } from "./findings/insert-many.js";

// maintenance-runs
export { pruneMaintenanceRuns } from "./maintenance-runs/prune.js";
export {
  startMaintenanceRun,
  finishMaintenanceRun,
  type PrunedCounts,
} from "./maintenance-runs/record.js";
export { getLastMaintenanceRun } from "./maintenance-runs/get-last.js";

// projects
export {
  applyProject,
  scheduleKey,
  type ApplyProjectInput,
  type ApplyProjectResult,
} from "./projects/apply.js";
export { createProject, type CreatedProject } from "./projects/create.js";
export { getProject } from "./projects/get.js";
export {
  listProjects,
  listAllProjects,
  type ListProjectsOptions,
  type ProjectListItem,
} from "./projects/list.js";
export { updateProject, type ProjectPatch } from "./projects/update.js";
export { deleteProject } from "./projects/delete.js";
export { lockProjectForWrite } from "./projects/lock.js";
export {
  getProjectRunSummary,
  type ProjectRunSummary,
} from "./projects/summary.js";
export {
  requestProjectRun,
  type RequestRunOptions,
} from "./projects/request-run.js";
export {
  deleteFinishedHistory,
  type CleanupCounts,
} from "./projects/cleanup.js";
export { notifySchedulesChanged } from "./projects/notify-changed.js";
export {
  getProjectForRun,
  type ProjectForRun,
} from "./projects/get-for-run.js";
export {
  listProjectRetentionOverrides,
  type ProjectRetentionOverride,
} from "./projects/prune-policies.js";

// queue
export { listQueue, type QueueItem } from "./queue/list.js";
export { getQueueDepth, type QueueDepth } from "./queue/depth.js";

// report-outbox
export {
  enqueueOutboxEntry,
  type OutboxEntry,
} from "./report-outbox/enqueue.js";
export {
  enqueueAlertUnlessThrottled,
  type AlertEnqueueResult,
} from "./report-outbox/enqueue-alert.js";
export {
  listOpenDiscrepanciesForReport,
  type ReportDiscrepancy,
} from "./report-outbox/open-discrepancies.js";
export {
  claimDueReports,
  type ClaimReportsOptions,
} from "./report-outbox/claim.js";
export {
  finishDeliveryAttempt,
  type AttemptRecord,
  type AttemptResult,
  type FinishAttemptOutcome,
  type OutboxFence,
} from "./report-outbox/finish-attempt.js";
export { msUntilNextReportDue } from "./report-outbox/next-due.js";
export {
  requeueDeadReport,
  type RequeueResult,
} from "./report-outbox/requeue.js";
export {
  listDeadReports,
  listDeliveriesForExecution,
  type ListDeadOptions,
  type OutboxRowWithAttempts,
} from "./report-outbox/list.js";
export {
  pruneFinishedReports,
  type PruneReportsOptions,
} from "./report-outbox/prune.js";
export {
  loadReportContext,
  type ReportContext,
} from "./report-outbox/report-context.js";

// project_alert_states
export {
  countRunForAlerts,
  type AlertRunCount,
  type CountRunForAlertsOptions,
} from "./alert-states/count-run.js";
export { markProjectAlerted } from "./alert-states/mark-alerted.js";

// report_digests
export { lockReportDigest } from "./report-digests/lock.js";
export { readDigestRange, type DigestRange } from "./report-digests/range.js";
export { listDigestTransitions } from "./report-digests/transitions.js";
export {
  listExecutionChanges,
  type ExecutionChangeRow,
} from "./discrepancies/execution-changes.js";
export { advanceReportDigest } from "./report-digests/advance.js";
export {
  listDigestProjects,
  type DigestProject,
} from "./report-digests/list-due.js";

// rules
export { listProjectRules, listAllRules } from "./rules/list.js";
export { getProjectRule } from "./rules/get.js";
export { createRule, type RuleFields } from "./rules/create.js";
export { updateRule } from "./rules/update.js";
export { deleteRule } from "./rules/delete.js";
export { listActiveRules } from "./rules/list-active.js";

// schedules
export {
  listProjectSchedules,
  getProjectSchedule,
  listAllSchedules,
} from "./schedules/crud-list.js";
export {
  createSchedule,
  type ScheduleFields,
} from "./schedules/crud-create.js";
export { updateSchedule } from "./schedules/crud-update.js";
export { deleteSchedule } from "./schedules/crud-delete.js";
export {
  listSchedulesToMaterialize,
  type ListSchedulesToMaterializeOptions,
  type ScheduleToMaterialize,
} from "./schedules/list-to-materialize.js";
export {
  advanceScheduleCursors,
  type ScheduleCursor,
} from "./schedules/advance-cursors.js";
export { lockSchedulesForMaterialize } from "./schedules/lock-for-materialize.js";
export {
  markSchedulesInvalid,
  type InvalidScheduleMark,
} from "./schedules/mark-invalid.js";
export { readDatabaseTime } from "./schedules/read-database-time.js";

// status
export { listLiveWorkers, type LiveWorker } from "./status/workers.js";
export {
  readFleetSnapshot,
  type FleetSnapshot,
  type FleetSnapshotOptions,
} from "./status/metrics.js";
export { databaseNotReady } from "./status/readiness.js";
export { listTableHealth, type TableHealth } from "./status/table-health.js";
export {
  getTransactionAges,
  type TransactionAges,
} from "./status/transaction-age.js";
export { listReplicaLag, type ReplicaLag } from "./status/replication.js";
export { getRecoveryState, type RecoveryState } from "./status/recovery.js";
export {
  readDatabaseHealth,
  type DatabaseHealth,
} from "./status/database-health.js";

// triggers
export {
  settleMissedTriggers,
  type SettleMissedOptions,
  type SettleMissedResult,
} from "./triggers/settle-missed.js";
export {
  listProjectRuns,
  type ListProjectRunsOptions,
  type ProjectRun,
} from "./triggers/list-project-runs.js";
export {
  insertScheduledTriggers,
  type ScheduledTriggerInput,
} from "./triggers/create.js";
export {
  cancelStaleTriggers,
  cancelSuspendedScheduleTriggers,
  cancelOrphanedTriggers,
  type ScheduleVersion,
  type SuspendedSweep,
} from "./triggers/cancel-stale.js";
export {
  claimDueTriggers,
  type ClaimOptions,
  type ClaimResult,
  type ClaimedTrigger,
} from "./triggers/claim.js";
export type { ClaimFence } from "./triggers/claim-fence.js";
export { msUntilNextClaimable } from "./triggers/claim-wait.js";
export { extendLeases, type ExtendLeasesOptions } from "./triggers/lease.js";
export { releaseOrphanedClaims } from "./triggers/release-orphaned.js";
export {
  countSkippedRuns,
  type CountSkippedOptions,
  type SkipReason,
} from "./triggers/count-skipped.js";
export {
  rescueLostRuns,
  type RescueCause,
  type RescueOptions,
  type RescuedRun,
} from "./triggers/rescue.js";
export {
  pruneFinishedTriggers,
  type PruneTriggersOptions,
  type PrunedTriggers,
  type TriggerCursor,
} from "./triggers/prune.js";

// workers
export {
  registerWorker,
  type RegisterWorkerOptions,
} from "./workers/register.js";
export {
  heartbeatWorker,
  setWorkerStatus,
  type HeartbeatOptions,
} from "./workers/heartbeat.js";
export { markDeadWorkers } from "./workers/mark-dead.js";
export { pruneDeadWorkers } from "./workers/prune.js";

// watchdog-episodes
export {
  listWatchedSchedules,
  type ListWatchedOptions,
  type WatchedSchedule,
} from "./watchdog-episodes/list-watched.js";
export {
  describeScheduleSilence,
  type ScheduleSilence,
  type SilenceQuery,
} from "./watchdog-episodes/describe-silence.js";
export {
  openWatchdogEpisodes,
  type OpenedEpisode,
  type SilentSchedule,
} from "./watchdog-episodes/open.js";
export {
  closeWatchdogEpisodes,
  type ClosedEpisode,
} from "./watchdog-episodes/close.js";
export {
  listWatchdogEpisodesToAlert,
  type EpisodeToAlert,
} from "./watchdog-episodes/list-to-alert.js";
export { markWatchdogEpisodeAlerted } from "./watchdog-episodes/mark-alerted.js";
export {
  listOpenWatchdogEpisodes,
  type ListOpenEpisodesOptions,
  type OpenWatchdogEpisode,
} from "./watchdog-episodes/list-open.js";
export { countOpenWatchdogEpisodes } from "./watchdog-episodes/count-open.js";
export { pruneClosedWatchdogEpisodes } from "./watchdog-episodes/prune.js";
