export {
  createLogger,
  type CreateLoggerOptions,
  type LogLevel,
} from "./create-logger.js";
export {
  redactSecrets,
  registerSecrets,
  MIN_REGISTERED_SECRET_LENGTH,
} from "./secret-registry.js";
export { REDACT_PATHS } from "./redact-paths.js";
export { CENSOR } from "./secret-patterns.js";
export { coerceError } from "./coerce-error.js";
export type { Logger, DestinationStream } from "pino";
