import { availableParallelism } from "node:os";

import { envBoolean } from "../kinds/boolean.js";
import { envByteSize } from "../kinds/byte-size.js";
import { envInteger } from "../kinds/integer.js";
import { envIntegerMap } from "../kinds/integer-map.js";
import { envList } from "../kinds/list.js";
import { envEnum, envString } from "../kinds/string.js";
import { POLL_INTERVAL_MS } from "./shared.js";

/** The layers an execution attests (`executions.sandbox`), as `SANDBOX_REQUIRE` names them. */
export const SANDBOX_LAYER_NAMES = [
  "mount_namespace",
  "pid_namespace",
  "network_namespace",
  "other_uid",
  "memory_cap",
  "disk_cap",
  "process_cap",
  "permission_model",
] as const;

/** Detector timeouts are not here: they are per project (`projects.config`). */
export const executorEnv = {
  WORK_DIR: envString().default(".vigil/work"),
  // A function default: evaluated at parse time, so the schema has no import-time side effect.
  EXECUTOR_CONCURRENCY: envInteger({ min: 1, max: 256 }).default(() =>
    availableParallelism(),
  ),
  EXECUTOR_DRY_RUN_CONCURRENCY: envInteger({ min: 0, max: 256 }).default(1),
  LEASE_SECONDS: envInteger({ min: 5, max: 3600 }).default(30),
  MAX_RESCUES: envInteger({ min: 1, max: 100 }).default(3),
  RESCUE_INTERVAL_MS: envInteger({ min: 100, max: 60_000 }).default(500),
  POLL_INTERVAL_MS,
  GLOBAL_MAX_RUNNING: envInteger({ min: 1, max: 1_000_000 }).optional(),
  // team names follow projects' `team` (TeamNameSchema in @vigil/contracts)
  TEAM_MAX_RUNNING: envIntegerMap({
    min: 1,
    max: 1_000_000,
    keyPattern: /^[a-z0-9][a-z0-9_-]{0,62}$/,
    keyHint: "1 to 63 lowercase letters, digits, _ or -",
  }).default({}),
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
  RUN_FOLDER_RETENTION_HOURS: envInteger({ min: 1, max: 87_600 }).default(72),
  EXECUTION_INPUTS: envBoolean().default(true),
  EXECUTION_INPUT_MAX_BYTES: envByteSize().default(16 * 1024 ** 2),
  RETRY_BACKOFF_BASE_MS: envInteger({ min: 10, max: 3_600_000 }).default(
    10_000,
  ),
  RETRY_BACKOFF_MAX_MS: envInteger({ min: 10, max: 86_400_000 }).default(
    600_000,
  ),
  DETECTOR_PACKAGES: envList().default([]),
  DETECTOR_PRESTART: envBoolean().default(true),
  DETECTOR_DISK_MB: envInteger({ min: 1, max: 1_048_576 }).default(256),
  DETECTOR_MAX_OPEN_FILES: envInteger({ min: 16, max: 65_536 }).default(256),
  SANDBOX_REQUIRE: envList({
    checkEntry: (entry) =>
      (SANDBOX_LAYER_NAMES as readonly string[]).includes(entry)
        ? undefined
        : `not a sandbox layer (use ${SANDBOX_LAYER_NAMES.join(", ")})`,
  }).default([]),
  EXECUTOR_RUNNER: envEnum(["detector", "noop"]).default("detector"),
  EXECUTOR_NOOP_DELAY_MS: envInteger({ min: 0, max: 3_600_000 }).default(0),
};
