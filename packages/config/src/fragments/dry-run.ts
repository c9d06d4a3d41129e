import { tmpdir } from "node:os";
import path from "node:path";

import { envInteger } from "../kinds/integer.js";
import { envString } from "../kinds/string.js";
import { executorEnv } from "./executor.js";

/**
 * Dry runs in the API (`POST /projects/{id}/dry-run`): their limits and folder, and the
 * executor's sandbox and import settings, read under the same names so a dry run is held to what
 * a real run is.
 */
export const dryRunEnv = {
  DRY_RUN_CONCURRENCY: envInteger({ min: 1, max: 256 }).default(2),
  DRY_RUN_CONCURRENCY_PER_TOKEN: envInteger({ min: 1, max: 256 }).default(1),
  // A function default: evaluated at parse time, so the schema has no import-time side effect.
  DRY_RUN_WORK_DIR: envString().default(() =>
    path.join(tmpdir(), "vigil-dry-run"),
  ),
  DETECTOR_PACKAGES: executorEnv.DETECTOR_PACKAGES,
  DETECTOR_PRESTART: executorEnv.DETECTOR_PRESTART,
  DETECTOR_DISK_MB: executorEnv.DETECTOR_DISK_MB,
  DETECTOR_MAX_OPEN_FILES: executorEnv.DETECTOR_MAX_OPEN_FILES,
  SANDBOX_REQUIRE: executorEnv.SANDBOX_REQUIRE,
};
