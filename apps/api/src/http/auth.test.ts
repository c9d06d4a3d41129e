import type { Request } from "express";
import { describe, expect, it } from "vitest";

import { AppError } from "./app-error.js";
import { createAuthorizer } from "./auth.js";

const req = (authorization?: string) =>
  ({
    headers: authorization === undefined ? {} : { authorization },
  }) as Request;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (err) {
    return err instanceof AppError ? `${err.status} ${err.code}` : "other";
  }
};

describe("createAuthorizer", () => {
  const auth = createAuthorizer({
    tokens: ["token-one-aaaaaaaaaaaa", "token-two-bbbbbbbbbbbb"],
    readTokenRequired: false,
  });

  it("labels a caller by the position of its token", () => {
    expect(auth.authorize(req("Bearer token-two-bbbbbbbbbbbb"), "write")).toBe(
      "token-2",
    );
  });

  it("answers 401 with a bare Bearer challenge for a missing or non-Bearer header", () => {
    for (const header of [undefined, "", "Basic dXNlcjpwYXNz", "Token abc"]) {
      expect(codeOf(() => auth.authorize(req(header), "write"))).toBe(
        "401 unauthorized",
      );
    }
  });

  it("matches the scheme case-insensitively and allows several spaces", () => {
    for (const header of [
      "bearer token-one-aaaaaaaaaaaa",
      "BEARER token-one-aaaaaaaaaaaa",
      "Bearer  token-one-aaaaaaaaaaaa",
    ]) {
      expect(auth.authorize(req(header), "write")).toBe("token-1");
    }
  });

  it("answers 401 invalid_token for an unknown, prefixed or malformed token", () => {
    for (const header of [
      "Bearer token-one",
      "Bearer token-one-aaaaaaaaaaaaX",
      "Bearer",
      "Bearer token one",
    ]) {
      expect(
        codeOf(() => auth.authorize(req(header), "write")),
        header,
      ).toBe("401 invalid_token");
    }
    try {
      auth.authorize(req("Bearer nope-nope-nope-nope"), "write");
    } catch (err) {
      expect((err as AppError).headers).toEqual({
        "WWW-Authenticate": 'Bearer error="invalid_token"',
      });
    }
  });

  it("lets anonymous reads through unless read tokens are required", () => {
    expect(auth.authorize(req(), "read")).toBeNull();
    const strict = createAuthorizer({
      tokens: ["token-one-aaaaaaaaaaaa"],
      readTokenRequired: true,
    });
    expect(codeOf(() => strict.authorize(req(), "read"))).toBe(
      "401 unauthorized",
    );
    expect(strict.authorize(req(), "public")).toBeNull();
  });
});
