import {
  apiEnv,
  databaseEnv,
  defineEnv,
  logEnv,
  parseEnv,
  type Env,
} from "@vigil/config";
import type { z } from "zod";

/** The API's environment: database, logging and the API fragment of @vigil/config. */
export const ApiEnv = defineEnv(databaseEnv, logEnv, apiEnv);
export type ApiConfig = z.output<typeof ApiEnv>;

/** Parses the environment or exits with code 2 naming each bad variable (main.ts only). */
export function loadApiConfig(env: Env = process.env): ApiConfig {
  return parseEnv(ApiEnv, env);
}
