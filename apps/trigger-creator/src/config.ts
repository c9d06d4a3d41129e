import {
  databaseEnv,
  defineEnv,
  logEnv,
  metricsEnv,
  parseEnv,
  triggerCreatorEnv,
  type Env,
} from "@vigil/config";

/**
 * The trigger-creator's environment: the shared database, log and trigger-creator fragments
 * (POLL_INTERVAL_MS, TRIGGER_HORIZON_SECONDS, TRIGGER_BATCH_SIZE, MISFIRE_MAX_CATCHUP,
 * LEADER_RETRY_MS, TRIGGER_WRITE_CONCURRENCY).
 */
export const TriggerCreatorEnv = defineEnv(
  databaseEnv,
  logEnv,
  triggerCreatorEnv,
  metricsEnv,
);
export type TriggerCreatorConfig = ReturnType<typeof TriggerCreatorEnv.parse>;

/** Parses the environment or prints every problem and exits with code 2. */
export const loadTriggerCreatorConfig = (
  env: Env = process.env,
): TriggerCreatorConfig => parseEnv(TriggerCreatorEnv, env);
