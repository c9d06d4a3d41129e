import { z } from "zod";

type MergeShapes<T extends readonly z.ZodRawShape[]> = T extends readonly [
  infer Head extends z.ZodRawShape,
  ...infer Tail extends readonly z.ZodRawShape[],
]
  ? Omit<Head, keyof MergeShapes<Tail>> & MergeShapes<Tail>
  : unknown;

type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * Builds one app's env schema from shared fragments and its own variables:
 * `defineEnv(databaseEnv, logEnv, executorEnv, { MY_VAR: envInteger({ min: 1 }).default(3) })`.
 * Later shapes win on a name clash, as with object spread. Equivalent to
 * `z.object({ ...databaseEnv, ...logEnv, ... })`, which is fine to write by hand too.
 */
export function defineEnv<const T extends readonly z.ZodRawShape[]>(
  ...shapes: T
) {
  const merged = Object.assign({}, ...shapes) as Flatten<MergeShapes<T>>;
  return z.object(merged);
}
