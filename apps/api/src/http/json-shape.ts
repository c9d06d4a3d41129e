import { AppError } from "./app-error.js";

/** Deeper JSON is refused before any code walks it recursively (JSON.stringify, zod, pg). */
export const MAX_JSON_DEPTH = 32;
/** Keys that pollute prototypes when a parsed object is copied with plain assignment. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Walks a parsed JSON body iteratively (no recursion, so no stack overflow on hostile
 * input) and refuses nesting beyond MAX_JSON_DEPTH and prototype-polluting keys.
 */
export function assertSafeJson(body: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [
    { value: body, depth: 1 },
  ];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value !== "object" || value === null) {
      continue;
    }
    if (depth > MAX_JSON_DEPTH) {
      throw new AppError(
        "too_deeply_nested",
        `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        stack.push({ value: item, depth: depth + 1 });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new AppError(
          "forbidden_key",
          `the JSON body contains the key "${key}", which is not allowed`,
        );
      }
      stack.push({
        value: (value as Record<string, unknown>)[key],
        depth: depth + 1,
      });
    }
  }
}
