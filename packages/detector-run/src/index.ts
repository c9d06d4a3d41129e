export {
  ruleSourceOf,
  runDetector,
  windowOf,
  type DetectorRunContext,
  type RunDetectorOptions,
} from "./run-detector.js";
export {
  createDetectorSlots,
  moveRunFolder,
  type DetectorSlot,
  type DetectorSlots,
} from "./detector-slots.js";
export {
  captureInput,
  type CapturedInput,
  type CaptureInputOptions,
} from "./capture-input.js";
export {
  discrepancyInputOf,
  type DiscrepancyInput,
} from "./discrepancy-input.js";
export { classifyRun, summarizeProcess } from "./classify-run.js";
export {
  applySandboxPolicy,
  DEFAULT_SANDBOX_POLICY,
  folderBytes,
  unmetRequirements,
  type SandboxPolicy,
} from "./sandbox-policy.js";
export {
  createSecretStore,
  type SecretStore,
  type SecretStoreOptions,
} from "./secrets.js";
export {
  assertNever,
  cancelReasonOf,
  describeOutcome,
  findingsTruncatedOf,
  isRetryableOutcome,
  outcomeLabel,
  ruleResultsOf,
  rulesStatus,
  toExecutionStatus,
  type CancelReason,
  type ProcessSummary,
  type RecordedFinding,
  type RuleSummary,
  type RunDetails,
  type RunEvidence,
  type RunningRule,
  type RunOutcome,
} from "./outcome.js";
export { readRunningRule, RUNNING_RULE_FILE } from "./running-rule.js";
export type { SandboxLayer } from "@vigil/runner";
