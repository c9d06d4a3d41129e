import {
  defineEnv,
  embeddedEnv,
  logEnv,
  optionalDatabaseEnv,
  parseEnv,
} from "@vigil/config";

/** The CLI runs without DATABASE_URL too: `start` then boots the embedded PostgreSQL. */
export const CliEnv = defineEnv(optionalDatabaseEnv, logEnv, embeddedEnv);
export type CliConfig = ReturnType<typeof loadCliConfig>;

export const loadCliConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseEnv(CliEnv, env);
