import { databaseEnv, defineEnv, envInteger, logEnv, parseEnv, triggerCreatorEnv, type Env } from "@vigil/config";

/**
 * The trigger-creator's environment: the shared database, log and trigger-creator fragments
 * (POLL_INTERVAL_MS, TRIGGER_HORIZON_SECONDS, TRIGGER_BATCH_SIZE, MISFIRE_MAX_CATCHUP) plus how
 * often a standby tries to take the leader lock.
 */
export const TriggerCreatorEnv = defineEnv(databaseEnv, logEnv, triggerCreatorEnv, {
  /** A standby takes over at most this long after the leader's connection is gone. */
  LEADER_RETRY_MS: envInteger({ min: 100, max: 60_000 }).default(1500),
  /** Batches written at once by a pass, each on its own connection (keep below DATABASE_POOL_SIZE). */
  TRIGGER_WRITE_CONCURRENCY: envInteger({ min: 1, max: 16 }).default(2),
});
export type TriggerCreatorConfig = ReturnType<typeof TriggerCreatorEnv.parse>;

/** Parses the environment or prints every problem and exits with code 2. */
export const loadTriggerCreatorConfig = (env: Env = process.env): TriggerCreatorConfig => parseEnv(TriggerCreatorEnv, env);
