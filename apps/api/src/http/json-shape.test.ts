import { describe, expect, it } from "vitest";

import { assertSafeJson, MAX_JSON_DEPTH } from "./json-shape.js";

/** `levels` objects inside each other around a number. */
const nest = (levels: number): unknown =>
  levels === 0 ? 1 : { a: nest(levels - 1) };

describe("assertSafeJson", () => {
  it("accepts nesting up to the limit and refuses one level more", () => {
    expect(() => assertSafeJson(nest(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => assertSafeJson(nest(MAX_JSON_DEPTH + 1))).toThrow(
      /nested deeper/,
    );
  });

  it("refuses prototype keys anywhere, as parsed from JSON", () => {
    expect(() =>
      assertSafeJson(JSON.parse('{"a":[{"b":{"__proto__":{}}}]}')),
    ).toThrow(/__proto__/);
    expect(() =>
      assertSafeJson(JSON.parse('{"constructor":{"prototype":{}}}')),
    ).toThrow(/constructor/);
  });

  it("walks a 100,000-element array without recursion", () => {
    expect(() =>
      assertSafeJson(Array.from({ length: 100_000 }, (_, i) => ({ i }))),
    ).not.toThrow();
  });
});
