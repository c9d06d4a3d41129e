// The queries of rules/, one statement per file; ../index.ts re-exports them.

export { listProjectRules, listAllRules } from "./list.js";
export { getProjectRule } from "./get.js";
export { createRule, type RuleFields } from "./create.js";
export { updateRule } from "./update.js";
export { deleteRule } from "./delete.js";
export { listActiveRules } from "./list-active.js";
