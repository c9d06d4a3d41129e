import { API_ERROR_STATUS, type ApiErrorCode } from "@vigil/contracts";

/**
 * An expected failure of a request, turned into `{ error: { code, message, details } }`
 * with the status its code stands for (API_ERROR_STATUS) by the error middleware.
 */
export class AppError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** Response headers that belong to the error (WWW-Authenticate, Retry-After). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ApiErrorCode,
    message: string,
    details: unknown = null,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.status = API_ERROR_STATUS[code];
    this.details = details;
    this.headers = options?.headers ?? {};
  }
}

export function notFound(what: string): AppError {
  return new AppError("not_found", `${what} does not exist`);
}
