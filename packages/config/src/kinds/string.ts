import { z } from "zod";

export interface StringOptions {
  /** Minimum length after trimming. @default 1 */
  minLength?: number;
  /** Pattern the trimmed value must match. */
  pattern?: RegExp;
  /** What the pattern means, for the error message (the value is never printed). */
  patternHint?: string;
}

/** A trimmed, non-empty string, optionally with a minimum length and a pattern. */
export function envString({
  minLength = 1,
  pattern,
  patternHint,
}: StringOptions = {}) {
  let schema = z
    .string()
    .trim()
    .min(minLength, { message: `expected at least ${minLength} characters` });
  if (pattern !== undefined) {
    schema = schema.regex(pattern, {
      message: `expected ${patternHint ?? `to match ${String(pattern)}`}`,
    });
  }
  return schema;
}

/** One of a fixed set of lower-case words, e.g. a log level; `INFO` is read as `info`. */
export function envEnum<const T extends readonly [string, ...string[]]>(
  values: T,
) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { message: `expected one of ${values.join(", ")}` }));
}
