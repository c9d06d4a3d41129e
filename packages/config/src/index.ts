export {
  parseEnv,
  tryParseEnv,
  formatEnvProblems,
  ENV_EXIT_CODE,
} from "./parse-env.js";
export type { Env, EnvParseResult, EnvProblem } from "./parse-env.js";
export { defineEnv } from "./define-env.js";
export { databaseEnv, optionalDatabaseEnv } from "./fragments/database.js";
export { logEnv, LOG_LEVELS, type LogLevel } from "./fragments/log.js";
export { apiEnv, MIN_API_TOKEN_LENGTH } from "./fragments/api.js";
export { executorEnv, SANDBOX_LAYER_NAMES } from "./fragments/executor.js";
export { reportEnv, MIN_REPORT_SECRET_LENGTH } from "./fragments/report.js";
export { channelEnv } from "./fragments/channel.js";
export { datasourceEnv } from "./fragments/datasource.js";
export { dryRunEnv } from "./fragments/dry-run.js";
export { triggerCreatorEnv } from "./fragments/trigger-creator.js";
export { cleanerEnv } from "./fragments/cleaner.js";
export { embeddedEnv } from "./fragments/embedded.js";
export { metricsEnv } from "./fragments/metrics.js";
export {
  ENV_FRAGMENTS,
  APP_NAMES,
  type AppName,
  type EnvVarName,
} from "./fragments/index.js";
export { ENV_VARS, type EnvVar, type SecretKind } from "./env-vars.js";
export {
  renderEnvTable,
  replaceEnvTable,
  envVarsOfApp,
  appEnvTableStart,
  ENV_TABLE_START,
  ENV_TABLE_END,
} from "./env-table.js";
export { collectSecretValues } from "./collect-secrets.js";
export { envInteger, type IntegerBounds } from "./kinds/integer.js";
export { envBoolean } from "./kinds/boolean.js";
export { envList, type ListOptions } from "./kinds/list.js";
export { envIntegerMap, type IntegerMapOptions } from "./kinds/integer-map.js";
export { envUrl, envHttpUrl, envPostgresUrl } from "./kinds/url.js";
export { envByteSize } from "./kinds/byte-size.js";
export { envString, envEnum, type StringOptions } from "./kinds/string.js";
