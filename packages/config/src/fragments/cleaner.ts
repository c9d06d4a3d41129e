import { envInteger } from "../kinds/integer.js";

export const cleanerEnv = {
  RETENTION_KEEP_LAST: envInteger({ min: 1, max: 1_000_000 }).default(100),
  RETENTION_MAX_AGE_DAYS: envInteger({ min: 1, max: 36_500 }).default(30),
  RETENTION_FAILED_MAX_AGE_DAYS: envInteger({ min: 1, max: 36_500 }).optional(),
  RETENTION_TRIGGERS_MAX_AGE_DAYS: envInteger({ min: 1, max: 36_500 }).default(
    7,
  ),
  RETENTION_REPORTS_DELIVERED_DAYS: envInteger({ min: 1, max: 36_500 }).default(
    7,
  ),
  RETENTION_REPORTS_DEAD_DAYS: envInteger({ min: 1, max: 36_500 }).default(30),
  RETENTION_DEAD_WORKERS_DAYS: envInteger({ min: 1, max: 36_500 }).default(1),
  RETENTION_AUDIT_DAYS: envInteger({ min: 1, max: 36_500 }).default(365),
  EXECUTION_INPUT_RETENTION_DAYS: envInteger({ min: 1, max: 36_500 }).default(
    7,
  ),
  EXECUTION_INPUT_TOTAL_MB: envInteger({ min: 1, max: 1_048_576 }).optional(),
  WORKER_STALE_SECONDS: envInteger({ min: 10, max: 86_400 }).default(60),
  CLEANER_INTERVAL_SECONDS: envInteger({ min: 1, max: 86_400 }).default(60),
  CLEANER_BATCH_SIZE: envInteger({ min: 1, max: 100_000 }).default(100),
  CLEANER_BATCH_PAUSE_MS: envInteger({ min: 0, max: 60_000 }).default(2),
};
