import { envBoolean } from "../kinds/boolean.js";
import { envInteger } from "../kinds/integer.js";
import { envString } from "../kinds/string.js";
import { envHttpUrl } from "../kinds/url.js";
import { PUBLIC_URL } from "./shared.js";

/** HMAC keys shorter than this are weak; 16 characters is the floor, 32+ is better. */
export const MIN_REPORT_SECRET_LENGTH = 16;

/** Report delivery (the outbox loop runs in the executor). */
export const reportEnv = {
  REPORT_URL: envHttpUrl().optional(),
  REPORT_SIGNING_SECRET: envString({
    minLength: MIN_REPORT_SECRET_LENGTH,
  }).optional(),
  REPORT_ALLOW_PRIVATE_NETWORKS: envBoolean().default(false),
  REPORT_MAX_ATTEMPTS: envInteger({ min: 1, max: 100 }).default(10),
  REPORT_TIMEOUT_MS: envInteger({ min: 100, max: 300_000 }).default(10_000),
  PUBLIC_URL,
};
