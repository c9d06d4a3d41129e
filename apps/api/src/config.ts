import {
  apiEnv,
  channelEnv,
  databaseEnv,
  defineEnv,
  dryRunEnv,
  logEnv,
  parseEnv,
  type Env,
} from "@vigil/config";
import type { z } from "zod";

/**
 * The API's environment: database, logging, the API fragment of @vigil/config, the channel
 * settings `POST /channels/test` sends with (the executor's, so a test goes out as the real
 * message would), and how dry runs wait for the executors that run them.
 */
export const ApiEnv = defineEnv(
  databaseEnv,
  logEnv,
  apiEnv,
  channelEnv,
  dryRunEnv,
);
export type ApiConfig = z.output<typeof ApiEnv>;

/** Parses the environment or exits with code 2 naming each bad variable (main.ts only). */
export function loadApiConfig(env: Env = process.env): ApiConfig {
  return parseEnv(ApiEnv, env);
}
