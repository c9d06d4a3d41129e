// The queries of maintenance-runs/, one statement per file; ../index.ts re-exports them.

export { pruneMaintenanceRuns } from "./prune.js";
export {
  startMaintenanceRun,
  finishMaintenanceRun,
  type PrunedCounts,
} from "./record.js";
export { getLastMaintenanceRun } from "./get-last.js";
