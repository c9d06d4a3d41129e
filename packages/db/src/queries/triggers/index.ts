// The queries of triggers/, one statement per file; ../index.ts re-exports them.

export {
  settleMissedTriggers,
  type SettleMissedOptions,
  type SettleMissedResult,
} from "./settle-missed.js";
export {
  listProjectRuns,
  type ListProjectRunsOptions,
  type ProjectRun,
} from "./list-project-runs.js";
export {
  insertScheduledTriggers,
  type ScheduledTriggerInput,
} from "./create.js";
export {
  cancelStaleTriggers,
  cancelSuspendedScheduleTriggers,
  cancelOrphanedTriggers,
  type ScheduleVersion,
  type SuspendedSweep,
} from "./cancel-stale.js";
export {
  claimDueTriggers,
  type ClaimOptions,
  type ClaimResult,
  type ClaimedTrigger,
} from "./claim.js";
export type { ClaimFence } from "./claim-fence.js";
export { msUntilNextClaimable } from "./claim-wait.js";
export { extendLeases, type ExtendLeasesOptions } from "./lease.js";
export { releaseOrphanedClaims } from "./release-orphaned.js";
export {
  countSkippedRuns,
  type CountSkippedOptions,
  type SkipReason,
} from "./count-skipped.js";
export {
  rescueLostRuns,
  type RescueCause,
  type RescueOptions,
  type RescuedRun,
} from "./rescue.js";
export {
  pruneFinishedTriggers,
  type PruneTriggersOptions,
  type PrunedTriggers,
  type TriggerCursor,
} from "./prune.js";
