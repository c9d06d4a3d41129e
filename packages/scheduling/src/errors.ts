export type SchedulingErrorCode =
  "invalid_cron" | "invalid_timezone" | "invalid_argument";

/** Thrown when a caller skips validation: an invalid schedule reaching the calculators is a bug. */
export class SchedulingError extends Error {
  readonly code: SchedulingErrorCode;

  constructor(
    code: SchedulingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SchedulingError";
    this.code = code;
  }
}
