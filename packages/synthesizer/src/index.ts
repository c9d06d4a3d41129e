export {
  synthesizeDetector,
  type SynthesizeOptions,
  type SynthesizedDetector,
} from "./synthesize-detector.js";
export {
  detectorHash,
  computeDetectorHash,
  sortRules,
  type DetectorSpec,
} from "./detector-hash.js";
export { TEMPLATE_VERSION, TEMPLATES_DIR } from "./template-files.js";
export {
  checkRuleCode,
  assertRulesLoadable,
  RuleCodeError,
  MAX_RULE_CODE_BYTES,
  type RuleCodeCheck,
  type RuleCodeProblem,
  type CheckRuleCodeOptions,
} from "./check-rule-code.js";
export {
  ALLOWED_BUILTINS,
  explainDisallowedImport,
  packageNameOf,
} from "./import-policy.js";
export {
  garbageCollect,
  type GarbageCollectOptions,
  type GarbageCollectResult,
} from "./garbage-collect.js";
export { ruleFileName } from "./rule-file-name.js";
export { ROWS_FILE, ROWS_LOADING_FILE } from "./run-folder.js";
export type { RuleSource, RuleSeverity, DetectorPackages } from "./types.js";
export {
  verifyDetectorResult,
  type VerifiedDetectorResult,
} from "./verify-detector-result.js";
export {
  prepareStandbyRuntime,
  slotLayout,
  stageDetectorInSlot,
  type SlotLayout,
  type StandbyRuntime,
} from "./standby.js";
