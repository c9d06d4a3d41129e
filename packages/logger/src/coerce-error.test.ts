import { runInNewContext } from "node:vm";

import { describe, expect, it } from "vitest";

import { coerceError } from "./coerce-error.js";

describe("coerceError", () => {
  it("returns an Error unchanged, also one from another realm", () => {
    const err = new TypeError("boom");
    expect(coerceError(err)).toBe(err);
    const foreign: unknown = runInNewContext("new Error('elsewhere')");
    expect(coerceError(foreign)).toBe(foreign);
  });

  it("wraps a thrown string as the message", () => {
    expect(coerceError("just text").message).toBe("just text");
  });

  it("keeps the message and code of an error-like object, with the object as cause", () => {
    const raw = { message: "duplicate key", code: "23505" };
    const err = coerceError(raw);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      message: "duplicate key",
      code: "23505",
      cause: raw,
    });
  });

  it("describes any other value", () => {
    expect(coerceError(42).message).toBe("non-error value thrown: 42");
    expect(coerceError(undefined).message).toBe(
      "non-error value thrown: undefined",
    );
    expect(coerceError({ a: 1 }).message).toBe(
      'non-error value thrown: {"a":1}',
    );
  });
});
