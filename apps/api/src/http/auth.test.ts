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

  it("answers 401 for a missing or malformed header and 403 for an unknown or prefixed token", () => {
    expect(codeOf(() => auth.authorize(req(), "write"))).toBe(
      "401 unauthorized",
    );
    expect(
      codeOf(() =>
        auth.authorize(req("bearer token-one-aaaaaaaaaaaa"), "write"),
      ),
    ).toBe("401 unauthorized");
    expect(
      codeOf(() =>
        auth.authorize(req("Bearer  token-one-aaaaaaaaaaaa"), "write"),
      ),
    ).toBe("401 unauthorized");
    expect(codeOf(() => auth.authorize(req("Bearer token-one"), "write"))).toBe(
      "403 forbidden",
    );
    expect(
      codeOf(() =>
        auth.authorize(req("Bearer token-one-aaaaaaaaaaaaX"), "write"),
      ),
    ).toBe("403 forbidden");
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
