/** SQLSTATE codes Vigil reacts to, sorted in one place. */
export const PG_ERROR = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  notNullViolation: "23502",
  invalidTextRepresentation: "22P02",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
  lockNotAvailable: "55P03",
  queryCanceled: "57014",
  adminShutdown: "57P01",
  crashShutdown: "57P02",
  cannotConnectNow: "57P03",
  tooManyConnections: "53300",
} as const;

const RETRYABLE_CODES = new Set<string>([
  PG_ERROR.serializationFailure,
  PG_ERROR.deadlockDetected,
  PG_ERROR.adminShutdown,
  PG_ERROR.crashShutdown,
  PG_ERROR.cannotConnectNow,
  PG_ERROR.tooManyConnections,
]);
const RETRYABLE_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function codeOf(err: unknown): string | undefined {
  return typeof err === "object" &&
    err !== null &&
    "code" in err &&
    typeof err.code === "string"
    ? err.code
    : undefined;
}

export function isUniqueViolation(err: unknown): boolean {
  return codeOf(err) === PG_ERROR.uniqueViolation;
}

export function isForeignKeyViolation(err: unknown): boolean {
  return codeOf(err) === PG_ERROR.foreignKeyViolation;
}

/** True for failures a loop should back off from and try again: lost connections, restarts, deadlocks. */
export function isRetryable(err: unknown): boolean {
  const code = codeOf(err);
  if (code && (RETRYABLE_CODES.has(code) || RETRYABLE_NODE_CODES.has(code))) {
    return true;
  }
  const message = err instanceof Error ? err.message : "";
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    message,
  );
}
