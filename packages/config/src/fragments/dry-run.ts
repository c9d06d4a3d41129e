import { envInteger } from "../kinds/integer.js";

/**
 * Dry runs through the API (`POST /projects/{id}/dry-run`): how many each API process lets wait
 * at once, and how long past the project's timeout it waits for an executor's answer. The run
 * itself is an executor's (EXECUTOR_DRY_RUN_CONCURRENCY), in its sandbox, with its secrets.
 */
export const dryRunEnv = {
  DRY_RUN_CONCURRENCY: envInteger({ min: 1, max: 256 }).default(2),
  DRY_RUN_CONCURRENCY_PER_TOKEN: envInteger({ min: 1, max: 256 }).default(1),
  DRY_RUN_WAIT_SECONDS: envInteger({ min: 1, max: 3600 }).default(30),
};
