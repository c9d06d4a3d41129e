export interface BackoffOptions {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  baseMs: number;
  maxMs: number;
  /** Injected for tests; Math.random in production. */
  random: () => number;
}

/**
 * Delay before the next attempt: exponential (base * 2^(attempt-1), capped at max) with
 * "equal jitter" (half fixed, half random), so retries of many failed runs spread out but
 * never come back sooner than half the nominal delay.
 */
export function retryDelayMs({
  attempt,
  baseMs,
  maxMs,
  random,
}: BackoffOptions): number {
  const nominal = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
