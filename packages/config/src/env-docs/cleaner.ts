import type { EnvVarDoc } from "../env-vars.js";
import type { EnvVarName } from "../fragments/index.js";

/** The variables of retention and the cleaner, in the order the README's table lists them. */
export const cleanerDocs = {
  RETENTION_KEEP_LAST: {
    default: "100",
    meaning:
      "Executions kept per project, newest first; older ones are pruned (failed ones excepted when `RETENTION_FAILED_MAX_AGE_DAYS` is set). A project's `retention.keep_last` overrides it.",
  },
  RETENTION_MAX_AGE_DAYS: {
    default: "30",
    meaning:
      "Executions older than this are pruned, except each project's latest finished one and the evidence of open discrepancies. Also the age limit of `maintenance_runs` and of closed `watchdog_episodes`. Override: `retention.max_age_days`.",
  },
  RETENTION_FAILED_MAX_AGE_DAYS: {
    meaning:
      "When set, failed, timed-out, partial and lost executions are kept this long instead, regardless of `RETENTION_KEEP_LAST`. Unset: they follow the other two rules. Override: `retention.failed_max_age_days`.",
  },
  RETENTION_TRIGGERS_MAX_AGE_DAYS: {
    default: "7",
    meaning:
      "Finished triggers are pruned this long after they finished, once no execution refers to them. Pending and running ones never.",
  },
  RETENTION_REPORTS_DELIVERED_DAYS: {
    default: "7",
    meaning:
      "Delivered outbox reports (and their delivery attempts) are pruned this long after delivery.",
  },
  RETENTION_REPORTS_DEAD_DAYS: {
    default: "30",
    meaning:
      "Dead-lettered outbox reports are pruned this long after they were given up.",
  },
  RETENTION_DEAD_WORKERS_DAYS: {
    default: "1",
    meaning:
      "`workers` rows that are dead or stopped are deleted this long after they stopped.",
  },
  RETENTION_AUDIT_DAYS: {
    default: "365",
    meaning:
      "Audit events (`GET /audit`) are kept this long; older ones are pruned oldest first, only ever a prefix of the hash chain, so `vigil audit verify` keeps passing.",
  },
  EXECUTION_INPUT_RETENTION_DAYS: {
    default: "7",
    meaning:
      "Kept execution inputs are pruned this long after their run, oldest first, separately from (and usually well before) their executions; the execution then says `pruned_age`.",
  },
  EXECUTION_INPUT_TOTAL_MB: {
    meaning:
      "When set, the most compressed input kept across all executions: beyond it the oldest are pruned first (`pruned_total`). Unset: only the age limit applies.",
  },
  WORKER_STALE_SECONDS: {
    default: "60",
    meaning:
      "A worker whose heartbeat is older than this is marked dead by the cleaner.",
  },
  CLEANER_INTERVAL_SECONDS: {
    default: "60",
    meaning: "Pause between cleaning passes.",
  },
  CLEANER_BATCH_SIZE: {
    default: "100",
    meaning:
      "Most rows deleted per statement (one short transaction each). bench/cleaner: 100 kept claim p99 within 2x during a 1M-row prune; 1,000 pruned faster but raised claim p99 4x.",
  },
  CLEANER_BATCH_PAUSE_MS: {
    default: "2",
    meaning:
      "Pause between two delete batches, leaving the database to the executors' claims (see bench/cleaner).",
  },
} satisfies Partial<Record<EnvVarName, EnvVarDoc>>;
