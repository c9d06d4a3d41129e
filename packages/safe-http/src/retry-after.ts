/**
 * Parses a `Retry-After` header into milliseconds to wait from `now`.
 * Accepts delta-seconds (`120`) and an HTTP date; a date in the past means 0.
 * Returns null for a missing or unparseable header, so callers fall back to their backoff.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: Date,
): number | null {
  if (header === null || header === undefined) {
    return null;
  }
  const text = header.trim();
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  // Only accept things that look like an HTTP date, not anything Date.parse guesses at.
  if (!/^[A-Za-z]{3},? /.test(text)) {
    return null;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    return null;
  }
  return Math.max(0, at - now.getTime());
}
