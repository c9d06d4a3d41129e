import { z } from "zod";

export interface IntegerBounds {
  /** Smallest accepted value (inclusive). */
  min: number;
  /** Largest accepted value (inclusive); unbounded when absent. */
  max?: number;
}

function describeRange({ min, max }: IntegerBounds): string {
  return max === undefined
    ? `an integer >= ${min}`
    : `an integer between ${min} and ${max}`;
}

/**
 * An integer variable such as `EXECUTOR_CONCURRENCY=4`.
 * Only plain decimal digits are accepted ("1e3", "0x10", "4.0" are rejected), so a value
 * never means something other than what it looks like. Messages say what kind of
 * value was found ("a non-number", "a number below the minimum") but never the value.
 */
export function envInteger(bounds: IntegerBounds) {
  const expected = `expected ${describeRange(bounds)}`;
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      if (!/^[+-]?\d+$/.test(text)) {
        const kind = /^[+-]?(\d+\.\d*|\.\d+)$/.test(text)
          ? "a non-integer"
          : "a non-number";
        ctx.addIssue({ code: "custom", message: `${expected}, got ${kind}` });
        return z.NEVER;
      }
      const value = Number(text);
      if (!Number.isSafeInteger(value)) {
        ctx.addIssue({
          code: "custom",
          message: `${expected}, got a number too large to represent`,
        });
        return z.NEVER;
      }
      if (value < bounds.min) {
        ctx.addIssue({
          code: "custom",
          message: `${expected}, got a number below the minimum`,
        });
        return z.NEVER;
      }
      if (bounds.max !== undefined && value > bounds.max) {
        ctx.addIssue({
          code: "custom",
          message: `${expected}, got a number above the maximum`,
        });
        return z.NEVER;
      }
      return value;
    });
}
