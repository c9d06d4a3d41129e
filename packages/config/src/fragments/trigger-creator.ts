import { envInteger } from "../kinds/integer.js";
import { POLL_INTERVAL_MS } from "./shared.js";

export const triggerCreatorEnv = {
  POLL_INTERVAL_MS,
  TRIGGER_HORIZON_SECONDS: envInteger({ min: 1, max: 7 * 24 * 3600 }).default(
    300,
  ),
  TRIGGER_BATCH_SIZE: envInteger({ min: 1, max: 100_000 }).default(1000),
  MISFIRE_MAX_CATCHUP: envInteger({ min: 0, max: 100_000 }).default(100),
  LEADER_RETRY_MS: envInteger({ min: 100, max: 60_000 }).default(1500),
  TRIGGER_WRITE_CONCURRENCY: envInteger({ min: 1, max: 16 }).default(2),
  WATCHDOG_INTERVAL_MS: envInteger({ min: 100, max: 3_600_000 }).default(
    60_000,
  ),
  WATCHDOG_GRACE_SECONDS: envInteger({ min: 0, max: 7 * 24 * 3600 }).default(
    300,
  ),
};
