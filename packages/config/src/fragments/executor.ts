import { availableParallelism } from "node:os";

import { envBoolean } from "../kinds/boolean.js";
import { envInteger } from "../kinds/integer.js";
import { envList } from "../kinds/list.js";
import { envEnum, envString } from "../kinds/string.js";
import { POLL_INTERVAL_MS } from "./shared.js";

/** Detector timeouts are not here: they are per project (`projects.config`). */
export const executorEnv = {
  WORK_DIR: envString().default(".vigil/work"),
  // A function default: evaluated at parse time, so the schema has no import-time side effect.
  EXECUTOR_CONCURRENCY: envInteger({ min: 1, max: 256 }).default(() =>
    availableParallelism(),
  ),
  LEASE_SECONDS: envInteger({ min: 5, max: 3600 }).default(30),
  POLL_INTERVAL_MS,
  EXECUTOR_SHUTDOWN_GRACE_SECONDS: envInteger({ min: 0, max: 3600 }).default(
    30,
  ),
  WORKER_ID: envString({
    pattern: /^[A-Za-z0-9._:@-]{1,200}$/,
    patternHint: "1 to 200 letters, digits or . _ : @ -",
  }).optional(),
  DETECTOR_WORK_DIR_MAX_MB: envInteger({ min: 1, max: 1_048_576 }).default(
    1024,
  ),
  RETRY_BACKOFF_BASE_MS: envInteger({ min: 10, max: 3_600_000 }).default(
    10_000,
  ),
  RETRY_BACKOFF_MAX_MS: envInteger({ min: 10, max: 86_400_000 }).default(
    600_000,
  ),
  DETECTOR_PACKAGES: envList().default([]),
  DETECTOR_PRESTART: envBoolean().default(true),
  EXECUTOR_RUNNER: envEnum(["detector", "noop"]).default("detector"),
  EXECUTOR_NOOP_DELAY_MS: envInteger({ min: 0, max: 3_600_000 }).default(0),
};
