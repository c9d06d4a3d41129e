import {
  databaseEnv,
  datasourceEnv,
  defineEnv,
  executorEnv,
  logEnv,
  metricsEnv,
  parseEnv,
  reportEnv,
  type Env,
} from "@vigil/config";

/**
 * The executor's environment, all from @vigil/config's fragments (documented in its table):
 * - RETRY_BACKOFF_BASE_MS / RETRY_BACKOFF_MAX_MS: exponential backoff (full jitter) between
 *   attempts of a failed run; attempt n waits up to min(max, base * 2^(n-1)).
 * - DETECTOR_PACKAGES: packages rule code may import beyond the built-ins, installed in
 *   WORK_DIR/node_modules (see @vigil/synthesizer).
 * - EXECUTOR_RUNNER: `detector` (production, always) or `noop`, a runner that does not spawn
 *   anything and succeeds after EXECUTOR_NOOP_DELAY_MS. `noop` exists for the benchmark and
 *   for tests that exercise only claiming/leases; it is never a production setting.
 */
export const ExecutorEnv = defineEnv(
  databaseEnv,
  logEnv,
  executorEnv,
  reportEnv,
  datasourceEnv,
  metricsEnv,
);

export type ExecutorConfig = ReturnType<typeof ExecutorEnv.parse>;

/** Parses the executor's env, or prints every problem (one line per variable) and exits 2. */
export const loadExecutorConfig = (env: Env = process.env): ExecutorConfig =>
  parseEnv(ExecutorEnv, env);
