// The queries of report-outbox/, one statement per file; ../index.ts re-exports them.

export { enqueueOutboxEntry, type OutboxEntry } from "./enqueue.js";
export {
  enqueueAlertUnlessThrottled,
  type AlertEnqueueResult,
} from "./enqueue-alert.js";
export {
  listOpenDiscrepanciesForReport,
  type ReportDiscrepancy,
} from "./open-discrepancies.js";
export { claimDueReports, type ClaimReportsOptions } from "./claim.js";
export {
  finishDeliveryAttempt,
  type AttemptRecord,
  type AttemptResult,
  type FinishAttemptOutcome,
  type OutboxFence,
} from "./finish-attempt.js";
export { msUntilNextReportDue } from "./next-due.js";
export { requeueDeadReport, type RequeueResult } from "./requeue.js";
export {
  listDeadReports,
  listDeliveriesForExecution,
  type ListDeadOptions,
  type OutboxRowWithAttempts,
} from "./list.js";
export { pruneFinishedReports, type PruneReportsOptions } from "./prune.js";
export { loadReportContext, type ReportContext } from "./report-context.js";
