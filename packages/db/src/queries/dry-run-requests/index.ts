// The queries of dry-run-requests/, one statement per file; ../index.ts re-exports them.

export { insertDryRunRequest, type NewDryRunRequest } from "./insert.js";
export { claimDryRunRequest, type ClaimedDryRun } from "./claim.js";
export { renewDryRunLease } from "./renew.js";
export { finishDryRunRequest } from "./finish.js";
export { takeDryRunAnswer } from "./take-answer.js";
export { deleteDryRunRequest } from "./delete.js";
export { pruneExpiredDryRunRequests } from "./prune-expired.js";
