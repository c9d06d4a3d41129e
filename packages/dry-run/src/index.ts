export {
  dryRunProject,
  type DryRunOptions,
  type DryRunResult,
} from "./dry-run.js";
export {
  createDryRunService,
  type DryRunService,
  type DryRunServiceOptions,
} from "./dry-run-service.js";
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
export { unmetSandboxLayers } from "./sandbox-check.js";
