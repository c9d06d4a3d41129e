import { envBoolean } from "../kinds/boolean.js";
import { envByteSize } from "../kinds/byte-size.js";
import { envInteger } from "../kinds/integer.js";
import { envString } from "../kinds/string.js";

/** What the executor's trusted loaders may fetch, and the secrets projects may name. */
export const datasourceEnv = {
  SECRETS_DIR: envString().optional(),
  DATASOURCE_ALLOW_PRIVATE_NETWORKS: envBoolean().default(false),
  DATASOURCE_MAX_ROW_BYTES: envByteSize().default(1024 ** 2),
  DATASOURCE_MAX_BYTES: envByteSize().default(64 * 1024 ** 2),
  DATASOURCE_POOL_SIZE: envInteger({ min: 1, max: 100 }).default(2),
  DATASOURCE_POOL_IDLE_SECONDS: envInteger({ min: 1, max: 86_400 }).default(30),
};
