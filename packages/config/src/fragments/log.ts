import { envEnum } from "../kinds/string.js";

/** pino's levels plus "silent". Kept here so @vigil/config does not depend on pino. */
export const LOG_LEVELS = [
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "fatal",
  "silent",
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Logging is always JSON on stdout; there is deliberately no "pretty" switch. */
export const logEnv = {
  LOG_LEVEL: envEnum(LOG_LEVELS).default("info"),
};
