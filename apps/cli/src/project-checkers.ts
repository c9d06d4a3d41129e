import type { ProjectCheckers } from "@vigil/contracts";
import { validateSchedule } from "@vigil/scheduling";
import { checkRuleCode } from "@vigil/synthesizer";

/** The same validators the trigger-creator and the executor use. */
export const PROJECT_CHECKERS: ProjectCheckers = {
  checkSchedule: (s) => validateSchedule(s),
  checkRuleCode: (ruleId, code) => checkRuleCode(ruleId, code),
};
