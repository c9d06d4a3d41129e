export {
  dryRunProject,
  type DryRunOptions,
  type DryRunResult,
} from "./dry-run.js";
export {
  openDetectorWorkDir,
  type DetectorWorkDir,
} from "./detector-work-dir.js";
export {
  runProjectDetector,
  type ProjectRunSettings,
  type RunProjectOptions,
} from "./run-project.js";
export { planOf, type PlanScope } from "./plan.js";
export { loadStoredInput, type StoredInput } from "./stored-input.js";
export { nextFireAt } from "./next-fire.js";
