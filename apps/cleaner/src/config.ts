import {
  cleanerEnv,
  databaseEnv,
  defineEnv,
  logEnv,
  metricsEnv,
  parseEnv,
  type Env,
} from "@vigil/config";

/** The cleaner's environment: database, logging and the cleaner fragment of @vigil/config. */
export const CleanerEnv = defineEnv(
  databaseEnv,
  logEnv,
  cleanerEnv,
  metricsEnv,
);
export type CleanerConfig = ReturnType<typeof CleanerEnv.parse>;

/** Parses the environment or exits with code 2 naming each bad variable (main.ts only). */
export function loadCleanerConfig(env: Env = process.env): CleanerConfig {
  return parseEnv(CleanerEnv, env);
}
