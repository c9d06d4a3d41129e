export interface RetryDelayOptions {
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  /** @default 10_000 */
  baseMs?: number;
  /** @default 1_800_000 (30 minutes) */
  maxMs?: number;
  /** A number in [0, 1): injected so tests are exact. */
  random: number;
  /** From the response's Retry-After header (already parsed), if any. */
  retryAfterMs?: number | null;
}

/** Retry-After beyond this is clamped: a receiver should not park a report for a day. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Delay before the next delivery attempt: base * 2^(attempt-1), capped at maxMs, plus up
 * to 25% jitter (upwards only, so replicas retrying together spread out without ever
 * retrying sooner than the schedule). With the defaults and 10 attempts the last one
 * comes at least 72 minutes after the first, so a receiver down for an hour loses nothing.
 * A Retry-After from the receiver wins over the schedule (clamped to an hour).
 */
export function computeRetryDelayMs({
  attempt,
  baseMs = 10_000,
  maxMs = 1_800_000,
  random,
  retryAfterMs,
}: RetryDelayOptions): number {
  if (retryAfterMs !== undefined && retryAfterMs !== null) {
    return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
  }
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 + 0.25 * random));
}
