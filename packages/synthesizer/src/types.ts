import type { FindingSeverity } from "@vigil/contracts";

/** A rule's severity is the default severity of its findings. */
export type RuleSeverity = FindingSeverity;

/** One rule as the synthesizer needs it: its code plus the metadata the runtime hands to `detect`. */
export interface RuleSource {
  ruleId: string;
  /** The rule definition this rule instantiates, or null for a rule with inline code. */
  definitionId: string | null;
  /** An ES module exporting `detect(rows, params, ctx)`; see `checkRuleCode`. */
  code: string;
  parameters: Record<string, unknown>;
  /** Default severity of the rule's findings (a finding may override it). */
  severity: RuleSeverity;
  category: string;
  description: string;
}

/** Packages rule code may import beyond the built-in allow-list (see import-policy.ts). */
export interface DetectorPackages {
  /** Package names, e.g. `["decimal.js", "@acme/money"]`; from the executor's DETECTOR_PACKAGES. */
  names: readonly string[];
  /**
   * The `node_modules` folder they are installed in; Node finds it by walking up from the detector
   * folder, so it must be `WORK_DIR/node_modules` (or above). When given, each name must be
   * installed there, else the check fails before anything runs.
   */
  nodeModulesDir?: string;
}
