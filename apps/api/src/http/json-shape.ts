import { AppError } from "./app-error.js";

/** Deeper JSON is refused before any code walks it recursively (JSON.stringify, zod, pg). */
export const MAX_JSON_DEPTH = 32;
/** Keys that pollute prototypes when a parsed object is copied with plain assignment. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** A lone high or low surrogate: not encodable as UTF-8, so not storable as text. */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why PostgreSQL would refuse this string in a text or jsonb column (it stores no NUL
 * character and no unpaired surrogate), or null when it is storable.
 */
export function unstorableText(value: string): string | null {
  if (value.includes("\u0000")) {
    return "contains a NUL character (\\u0000), which cannot be stored";
  }
  if (LONE_SURROGATE.test(value)) {
    return "contains a lone UTF-16 surrogate, which is not valid Unicode text";
  }
  return null;
}

function refuseText(path: string, problem: string): never {
  throw new AppError("invalid_text", `${path}: ${problem}`, [
    { path, message: problem },
  ]);
}

/**
 * Refuses NUL characters and lone surrogates in path parameters or query values, naming
 * the parameter, before they reach validation or a query.
 */
export function assertStorableStrings(
  values: Record<string, unknown>,
  where: "params" | "query",
): void {
  for (const [key, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const problem =
        typeof v === "string"
          ? (unstorableText(key) ?? unstorableText(v))
          : null;
      if (problem !== null) {
        refuseText(`${where}.${key}`, problem);
      }
    }
  }
}

/**
 * Walks a parsed JSON body iteratively (no recursion, so no stack overflow on hostile
 * input) and refuses nesting beyond MAX_JSON_DEPTH, prototype-polluting keys, and keys
 * or strings PostgreSQL cannot store (named by their path, e.g. `rules.0.code`).
 */
export function assertSafeJson(body: unknown, root = ""): void {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [
    { value: body, depth: 1, path: root },
  ];
  const at = (path: string) => (path === "" ? "(root)" : path);
  const join = (path: string, key: string | number) =>
    path === "" ? String(key) : `${path}.${key}`;
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as (typeof stack)[number];
    if (typeof value === "string") {
      const problem = unstorableText(value);
      if (problem !== null) {
        refuseText(at(path), problem);
      }
      continue;
    }
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
      value.forEach((item, i) => {
        stack.push({ value: item, depth: depth + 1, path: join(path, i) });
      });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new AppError(
          "forbidden_key",
          `the JSON body contains the key "${key}", which is not allowed`,
        );
      }
      const keyProblem = unstorableText(key);
      if (keyProblem !== null) {
        refuseText(at(path), `a key ${keyProblem}`);
      }
      stack.push({
        value: (value as Record<string, unknown>)[key],
        depth: depth + 1,
        path: join(path, key),
      });
    }
  }
}
