// The queries of discrepancies/, one statement per file; ../index.ts re-exports them.

export {
  getDiscrepancyDetail,
  type DiscrepancyDetail,
  type DiscrepancySighting,
} from "./detail.js";
export {
  listProjectDiscrepancies,
  type DiscrepancyListPosition,
  type ListDiscrepanciesOptions,
  type ListedDiscrepancy,
} from "./list.js";
export {
  applyTriage,
  type TriageChange,
  type TriageResult,
  type TriageStatus,
} from "./triage.js";
export { listTriageStates } from "./triage-states.js";
export { planDiscrepancyUpdate } from "./plan-update.js";
export {
  updateDiscrepancies,
  type DiscrepancyTransition,
  type DiscrepancyTransitionKind,
  type SeenFinding,
  type UpdateDiscrepanciesOptions,
} from "./update.js";
export {
  listExecutionChanges,
  type ExecutionChangeRow,
} from "./execution-changes.js";
