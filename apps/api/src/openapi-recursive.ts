import { getRefId, zodToOpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";

type Def = { type: string; [key: string]: unknown };
const defOf = (s: unknown): Def | undefined =>
  (s as { _zod?: { def?: Def } })?._zod?.def;

/** The schemas directly inside `def`, whatever kind of schema it is. */
function children(def: Def): unknown[] {
  switch (def.type) {
    case "object":
      return Object.values(def.shape as Record<string, unknown>);
    case "union":
      return def.options as unknown[];
    case "intersection":
      return [def.left, def.right];
    case "array":
      return [def.element];
    case "record":
      return [def.keyType, def.valueType];
    case "tuple":
      return [...(def.items as unknown[]), def.rest];
    case "pipe":
      return [def.in, def.out];
    case "lazy":
      return [(def.getter as () => unknown)()];
    default:
      return "innerType" in def ? [def.innerType] : [];
  }
}

/**
 * zod-to-openapi follows a recursive `z.lazy` schema forever unless it has an id (then it
 * emits a `$ref`). Gives every lazy schema reachable from `roots` that has none an id
 * ("JsonValue", "JsonValue2", ...) in zod-to-openapi's metadata registry.
 */
let countNamed = 0;

export function nameRecursiveSchemas(roots: readonly unknown[]): void {
  const seen = new Set<unknown>();
  const stack = [...roots];
  let n = countNamed;
  while (stack.length > 0) {
    const schema = stack.pop();
    const def = defOf(schema);
    if (def === undefined || seen.has(schema)) {
      continue;
    }
    seen.add(schema);
    if (def.type === "lazy" && getRefId(schema as z.ZodType) === undefined) {
      n += 1;
      countNamed = n;
      // what `.openapi(refId)` records; set directly since schemas built before
      // extendZodWithOpenApi (all of @vigil/contracts) have no `.openapi` method
      zodToOpenAPIRegistry.add(schema as z.ZodType, {
        _internal: { refId: n === 1 ? "JsonValue" : `JsonValue${n}` },
      });
    }
    stack.push(...children(def));
  }
}
