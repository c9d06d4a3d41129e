// The queries of executions/, one statement per file; ../index.ts re-exports them.

export {
  listProjectExecutions,
  EXECUTION_LIST_COLUMNS,
  type ExecutionListItem,
  type ListExecutionsOptions,
} from "./list.js";
export { getExecutionDetail, type ExecutionDetail } from "./get.js";
export {
  listRecentFailures,
  type ListRecentFailuresOptions,
} from "./list-failures.js";
export {
  existingRunFolderExecutions,
  runFolderKey,
} from "./existing-run-folders.js";
export {
  getExecutionStats,
  type ExecutionStats,
  type ExecutionStatsOptions,
} from "./stats.js";
export { getTriggerProgress } from "./for-trigger.js";
export {
  listFinishedExecutions,
  type FinishedCursor,
  type ListFinishedOptions,
} from "./list-recent.js";
export {
  findExecutionCutoffs,
  type ExecutionCutoffs,
} from "./prune-cutoffs.js";
export {
  pruneExecutionsBatch,
  type PruneExecutionsBatchOptions,
  type PrunedBatch,
  type RetentionPolicy,
} from "./prune.js";
export {
  pruneProjectHistory,
  type PruneProjectHistoryOptions,
  type PrunedHistory,
} from "./prune-project.js";
export {
  finishRun,
  finishRuns,
  type ExecutionResult,
  type FinishRunOptions,
  type FinishRunsItem,
  type FinishRunsResult,
  type TriggerTransition,
} from "./finish-runs.js";
