/**
 * Execution statuses that count as "the schedule ran": the run reached an outcome. `cancelled`
 * and `lost` runs did not, so they do not end a watchdog episode.
 */
export const FINISHED_EXECUTION_STATUSES = [
  "success",
  "partial",
  "failed",
  "timeout",
] as const;
