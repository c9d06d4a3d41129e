// The queries of projects/, one statement per file; ../index.ts re-exports them.

export { listProjectOverviews, type ProjectOverview } from "./overviews.js";
export {
  applyProject,
  scheduleKey,
  type ApplyProjectInput,
  type ApplyProjectResult,
} from "./apply.js";
export { createProject, type CreatedProject } from "./create.js";
export { getProject } from "./get.js";
export {
  listProjects,
  listAllProjects,
  type ListProjectsOptions,
  type ProjectListItem,
} from "./list.js";
export { updateProject, type ProjectPatch } from "./update.js";
export { deleteProject } from "./delete.js";
export { lockProjectForWrite } from "./lock.js";
export { getProjectRunSummary, type ProjectRunSummary } from "./summary.js";
export { requestProjectRun, type RequestRunOptions } from "./request-run.js";
export { deleteFinishedHistory, type CleanupCounts } from "./cleanup.js";
export { notifySchedulesChanged } from "./notify-changed.js";
export { getProjectForRun, type ProjectForRun } from "./get-for-run.js";
export {
  listProjectRetentionOverrides,
  type ProjectRetentionOverride,
} from "./prune-policies.js";
