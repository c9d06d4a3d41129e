import type { ApiTokenRow } from "@vigil/db";
import type { Request } from "express";
import { describe, expect, it } from "vitest";

import { AppError } from "./app-error.js";
import { createAuthorizer, type Access } from "./auth.js";
import type { TokenStore } from "./token-store.js";

const req = (authorization?: string) =>
  ({
    headers: authorization === undefined ? {} : { authorization },
  }) as Request;
const outcome = async (p: Promise<unknown>) => {
  try {
    await p;
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
  const check = (header: string | undefined, access: Access = "write") =>
    auth.authorize(req(header), access);

  it("names an API_TOKENS caller by the position of its token, with every scope and project", async () => {
    expect(await check("Bearer token-two-bbbbbbbbbbbb", "admin")).toEqual({
      caller: "api-token-2",
      principal: {
        name: "api-token-2",
        scopes: ["read", "write", "triage", "admin"],
        projects: null,
      },
    });
  });

  it("answers 401 with a bare Bearer challenge for a missing or non-Bearer header", async () => {
    for (const header of [undefined, "", "Basic dXNlcjpwYXNz", "Token abc"]) {
      expect(await outcome(check(header))).toBe("401 unauthorized");
    }
  });

  it("matches the scheme case-insensitively and allows several spaces", async () => {
    for (const header of [
      "bearer token-one-aaaaaaaaaaaa",
      "BEARER token-one-aaaaaaaaaaaa",
      "Bearer  token-one-aaaaaaaaaaaa",
    ]) {
      expect((await check(header)).caller).toBe("api-token-1");
    }
  });

  it("answers 401 invalid_token for an unknown, prefixed or malformed token", async () => {
    for (const header of [
      "Bearer token-one",
      "Bearer token-one-aaaaaaaaaaaaX",
      "Bearer",
      "Bearer token one",
    ]) {
      expect(await outcome(check(header)), header).toBe("401 invalid_token");
    }
    const err = await check("Bearer nope-nope-nope-nope").catch(
      (e: unknown) => e as AppError,
    );
    expect((err as AppError).headers).toEqual({
      "WWW-Authenticate": 'Bearer error="invalid_token"',
    });
  });

  it("lets anonymous reads through unless read tokens are required", async () => {
    expect(await auth.authorize(req(), "read")).toEqual({
      caller: null,
      principal: null,
    });
    const strict = createAuthorizer({
      tokens: ["token-one-aaaaaaaaaaaa"],
      readTokenRequired: true,
    });
    expect(await outcome(strict.authorize(req(), "read"))).toBe(
      "401 unauthorized",
    );
    expect((await strict.authorize(req(), "public")).caller).toBeNull();
  });

  it("checks stored tokens' scopes, revocation and expiry, and notes each use", async () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const { createHash } = await import("node:crypto");
    const hash = (s: string) => createHash("sha256").update(s).digest("hex");
    const row = (name: string, over: Partial<ApiTokenRow>): ApiTokenRow => ({
      name,
      secret_hash: hash(name),
      scopes: ["read"],
      projects: ["p1"],
      created_at: now,
      created_by: "test",
      last_used_at: null,
      expires_at: null,
      revoked_at: null,
      ...over,
    });
    const rows = [
      row("reader", {}),
      row("gone", { revoked_at: now }),
      row("old", { expires_at: now }),
      row("later", { expires_at: new Date(now.getTime() + 1000) }),
    ];
    const used: string[] = [];
    const store: TokenStore = {
      find: (h) => Promise.resolve(rows.find((r) => r.secret_hash === h)),
      used: (name) => used.push(name),
      forget: () => undefined,
    };
    const db = createAuthorizer({
      tokens: [],
      readTokenRequired: true,
      store,
      now: () => now,
    });
    const as = (secret: string, access: Access) =>
      db.authorize(req(`Bearer ${secret}`), access);
    expect((await as("reader", "read")).principal).toEqual({
      name: "reader",
      scopes: ["read"],
      projects: ["p1"],
    });
    const denied = await as("reader", "triage").catch(
      (e: unknown) => e as AppError,
    );
    expect(denied).toMatchObject({
      status: 403,
      code: "forbidden",
      message: 'this token lacks the scope "triage"',
    });
    expect(await outcome(as("gone", "read"))).toBe("401 invalid_token");
    expect(await outcome(as("old", "read"))).toBe("401 invalid_token");
    expect(await outcome(as("later", "read"))).toBe("ok");
    expect(await outcome(as("nobody", "read"))).toBe("401 invalid_token");
    expect(used).toEqual(["reader", "reader", "later"]);
  });
});
