import { envBoolean } from "../kinds/boolean.js";
import { envInteger } from "../kinds/integer.js";
import { envEnum, envString } from "../kinds/string.js";
import { envHttpUrl, envUrl } from "../kinds/url.js";

/** HMAC keys shorter than this are weak; 16 characters is the floor, 32+ is better. */
export const MIN_REPORT_SECRET_LENGTH = 16;

/**
 * What sending to a notification channel needs: the executor's outbox and the API's
 * `POST /channels/test` send the same way. SMTP settings come from the environment only,
 * never from a project's config, so no project can point mail at another server.
 */
export const channelEnv = {
  REPORT_URL: envHttpUrl().optional(),
  REPORT_SIGNING_SECRET: envString({
    minLength: MIN_REPORT_SECRET_LENGTH,
  }).optional(),
  REPORT_ALLOW_PRIVATE_NETWORKS: envBoolean().default(false),
  REPORT_TIMEOUT_MS: envInteger({ min: 100, max: 300_000 }).default(10_000),
  SMTP_URL: envUrl(["smtp:", "smtps:"]).optional(),
  SMTP_HOST: envString().optional(),
  SMTP_PORT: envInteger({ min: 1, max: 65_535 }).optional(),
  SMTP_SECURE: envBoolean().default(false),
  SMTP_STARTTLS: envEnum(["required", "opportunistic", "never"]).default(
    "opportunistic",
  ),
  SMTP_USER: envString().optional(),
  SMTP_PASSWORD: envString().optional(),
  SMTP_FROM: envString().optional(),
};
