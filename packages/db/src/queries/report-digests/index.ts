// The queries of report-digests/, one statement per file; ../index.ts re-exports them.

export { lockReportDigest } from "./lock.js";
export { readDigestRange, type DigestRange } from "./range.js";
export { listDigestTransitions } from "./transitions.js";
export { advanceReportDigest } from "./advance.js";
export { listDigestProjects, type DigestProject } from "./list-due.js";
