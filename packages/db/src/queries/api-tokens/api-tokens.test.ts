import { sql } from "kysely";
import { describe, expect } from "vitest";

import {
  apiTokenSecretHash,
  newApiTokenSecret,
} from "../../api-token-secret.js";
import { dbTest as test } from "../../testing/index.js";
import { findApiTokenByHash } from "./find-by-hash.js";
import { insertApiToken, type NewApiToken } from "./insert.js";
import { listApiTokens } from "./list.js";
import { revokeApiToken } from "./revoke.js";
import { touchApiToken } from "./touch.js";

const token = (name: string, over: Partial<NewApiToken> = {}): NewApiToken => ({
  name,
  secretHash: apiTokenSecretHash(newApiTokenSecret()),
  scopes: ["read"],
  projects: null,
  createdBy: "test",
  expiresAt: null,
  ...over,
});

describe("api_tokens", () => {
  test("secrets are vgl_ and 32 random bytes; only their SHA-256 hex is stored and found", async ({
    db,
  }) => {
    const secret = newApiTokenSecret();
    expect(secret).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret.slice(4), "base64url")).toHaveLength(32);
    expect(newApiTokenSecret()).not.toBe(secret);
    const hash = apiTokenSecretHash(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const info = await insertApiToken(
      db,
      token("finder", { secretHash: hash }),
    );
    expect(info).not.toHaveProperty("secret_hash");
    expect((await findApiTokenByHash(db, hash))?.name).toBe("finder");
    expect(
      await findApiTokenByHash(db, apiTokenSecretHash("other")),
    ).toBeUndefined();
    expect(JSON.stringify(await listApiTokens(db))).not.toContain(hash);
  });

  test("the table refuses bad names, reserved api-token-<N> names, unknown scopes, empty lists, admin limited to projects, a hash that is not hex SHA-256, and a reused name", async ({
    db,
  }) => {
    const bad: [string, Partial<NewApiToken>][] = [
      ["Upper", {}],
      ["-dash-first", {}],
      ["api-token-3", {}],
      ["scopes-bad", { scopes: ["root" as "read"] }],
      ["scopes-empty", { scopes: [] }],
      ["projects-empty", { projects: [] }],
      ["admin-limited", { scopes: ["admin"], projects: ["p1"] }],
      ["hash-bad", { secretHash: "not-a-hash" }],
    ];
    for (const [name, over] of bad) {
      await expect(insertApiToken(db, token(name, over)), name).rejects.toThrow(
        /violates check constraint/,
      );
    }
    await insertApiToken(db, token("api-token-x"));
    await insertApiToken(db, token("team.a_ci-1", { projects: ["p1", "p2"] }));
    await expect(insertApiToken(db, token("team.a_ci-1"))).rejects.toThrow(
      /duplicate key/,
    );
  });

  test("revoke keeps its first time and answers undefined for an unknown name", async ({
    db,
  }) => {
    await insertApiToken(db, token("revoked-twice"));
    const first = await revokeApiToken(db, "revoked-twice");
    expect(first?.revoked_at).toBeInstanceOf(Date);
    const second = await revokeApiToken(db, "revoked-twice");
    expect(second?.revoked_at).toEqual(first?.revoked_at);
    expect(await revokeApiToken(db, "never-made")).toBeUndefined();
  });

  test("last_used_at is written at most once a minute", async ({ db }) => {
    await insertApiToken(db, token("busy"));
    const lastUsed = async () =>
      (
        await db
          .selectFrom("api_tokens")
          .select("last_used_at")
          .where("name", "=", "busy")
          .executeTakeFirstOrThrow()
      ).last_used_at;
    await touchApiToken(db, "busy");
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await touchApiToken(db, "busy");
    expect(await lastUsed()).toEqual(first);
    await sql`update api_tokens set last_used_at = now() - interval '61 seconds' where name = 'busy'`.execute(
      db,
    );
    const stale = (await lastUsed())!.getTime();
    await touchApiToken(db, "busy");
    expect((await lastUsed())!.getTime()).toBeGreaterThan(stale + 60_000);
  });
});
