import { envInteger } from "../kinds/integer.js";
import { channelEnv } from "./channel.js";
import { PUBLIC_URL } from "./shared.js";

export { MIN_REPORT_SECRET_LENGTH } from "./channel.js";

/** Report delivery (the outbox loop runs in the executor). */
export const reportEnv = {
  REPORT_MAX_ATTEMPTS: envInteger({ min: 1, max: 100 }).default(10),
  PUBLIC_URL,
  ...channelEnv,
};
