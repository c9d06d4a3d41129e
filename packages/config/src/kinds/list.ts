import { z } from "zod";

export interface ListOptions {
  /** Checks one entry; returns a reason (without the entry's value) when it is invalid. */
  checkEntry?: (entry: string) => string | undefined;
  /** Normalizes an accepted entry, e.g. strips a trailing slash. */
  normalizeEntry?: (entry: string) => string;
}

/**
 * A comma-separated list such as `API_TOKENS=a,b`. Entries are trimmed and empty entries
 * dropped, so `a, b,` is `["a", "b"]`. A bad entry is reported by its 1-based position,
 * never by its value (the list may hold secrets).
 */
export function envList(options: ListOptions = {}) {
  const { checkEntry, normalizeEntry = (entry: string) => entry } = options;
  return z.string().transform((text, ctx) => {
    const entries = text
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
    let valid = true;
    entries.forEach((entry, index) => {
      const reason = checkEntry?.(entry);
      if (reason !== undefined) {
        valid = false;
        ctx.addIssue({
          code: "custom",
          message: `entry ${index + 1}: ${reason}`,
        });
      }
    });
    return valid ? entries.map(normalizeEntry) : z.NEVER;
  });
}
