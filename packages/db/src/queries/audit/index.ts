// The queries of audit/, one statement per file; ../index.ts re-exports them.

export { lockAuditTarget } from "./lock-target.js";
export { listAuditEvents, type ListAuditEventsOptions } from "./list.js";
export { pruneAuditEvents } from "./prune.js";
