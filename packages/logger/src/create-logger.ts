import { hostname } from "node:os";

import {
  pino,
  stdTimeFunctions,
  type DestinationStream,
  type Logger,
} from "pino";

import { REDACT_PATHS } from "./redact-paths.js";
import { CENSOR } from "./secret-patterns.js";
import { redactJsonLine } from "./secret-registry.js";

export type LogLevel =
  "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface CreateLoggerOptions {
  /** Minimum level written; usually `config.LOG_LEVEL`. */
  level: LogLevel;
  /** The app or tool, e.g. "executor"; written as `name` on every line. */
  name: string;
  /** Extra fields on every line, e.g. `{ workerId }`. @default { pid, hostname } */
  base?: Record<string, unknown>;
  /** Where lines go. @default stdout (file descriptor 1, synchronous writes) */
  destination?: DestinationStream;
}

/**
 * A pino logger that writes one JSON object per line:
 * `{"level":"info","time":"2026-…Z","pid":1,"hostname":"h","name":"executor","component":"claim-loop","msg":"claimed"}`.
 *
 * Secrets are kept out twice: `redact` censors known secret fields (password, token,
 * authorization headers, …) before serialization, and the `streamWrite` hook runs
 * `redactSecrets`' patterns and registered values over the finished line, which covers
 * `msg`, `err.message`, `err.stack` and nested strings without re-parsing the JSON.
 * Components log through `logger.child({ component: "claim-loop" })`.
 */
export function createLogger({
  level,
  name,
  base,
  destination,
}: CreateLoggerOptions): Logger {
  const options = {
    level,
    name,
    base: { pid: process.pid, hostname: hostname(), ...base },
    // Level names and ISO times read better in `npm start`'s interleaved output than 30 and epoch ms.
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: CENSOR },
    hooks: { streamWrite: redactJsonLine },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
