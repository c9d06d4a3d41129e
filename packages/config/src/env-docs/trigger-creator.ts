import type { EnvVarDoc } from "../env-vars.js";
import type { EnvVarName } from "../fragments/index.js";

/** The variables of the trigger-creator and its watchdog, in the order the README's table lists them. */
export const triggerCreatorDocs = {
  LEADER_RETRY_MS: {
    default: "1500",
    meaning:
      "How often a standby trigger-creator tries to take the leader lock: it takes over at most this long after the leader is gone.",
  },
  TRIGGER_WRITE_CONCURRENCY: {
    default: "2",
    meaning:
      "Trigger batches a pass writes at once, each on its own connection (keep below DATABASE_POOL_SIZE).",
  },
  TRIGGER_HORIZON_SECONDS: {
    default: "300",
    meaning: "How far ahead fire times are materialized as `triggers` rows.",
  },
  TRIGGER_BATCH_SIZE: {
    default: "1000",
    meaning:
      "Schedules read, planned and written per batch of a pass (their trigger rows go in one statement).",
  },
  MISFIRE_MAX_CATCHUP: {
    default: "100",
    meaning:
      "After downtime, most missed fire times run per schedule (policy permitting).",
  },
  WATCHDOG_INTERVAL_MS: {
    default: "60000",
    meaning:
      "How often the leading trigger-creator's watchdog looks for silent schedules (docs/operations.md, Watchdog).",
  },
  WATCHDOG_GRACE_SECONDS: {
    default: "300",
    meaning:
      "Added to a project's `timeout_seconds`: a fire time with no finished run this long after it opens a watchdog episode.",
  },
} satisfies Partial<Record<EnvVarName, EnvVarDoc>>;
