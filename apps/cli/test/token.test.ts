import { spawn, type ChildProcess } from "node:child_process";

import { apiTokenSecretHash } from "@vigil/db";
import { dbTest, waitFor } from "@vigil/db/testing";
import { afterAll, describe, expect } from "vitest";

import { appEntry } from "../src/paths.js";
import { runCliOn as vigil } from "./run-cli.js";

const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => {
        c.kill("SIGTERM");
        return new Promise((resolve) => c.once("exit", resolve));
      }),
  );
});

/** The built API as its own process, reads closed, no API_TOKENS: only stored tokens get in. */
async function startApi(databaseUrl: string): Promise<string> {
  const child = spawn(process.execPath, [appEntry("api")], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      API_READ_TOKEN_REQUIRED: "true",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  return waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1], {
    timeoutMs: 20_000,
    message: `the API to listen; it said:\n${output}`,
  });
}

describe("vigil token", () => {
  dbTest(
    "create prints the secret once, the API accepts it with its scopes, list never shows it, revoke locks it out",
    async ({ db, testDatabase }) => {
      const url = testDatabase.url;
      const created = await vigil(
        ["token", "create", "first-admin", "--scopes", "read,admin"],
        url,
      );
      expect(created.code, created.stderr).toBe(0);
      const secret = created.stdout.trim();
      expect(secret).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toContain(
        "token first-admin created (scopes read,admin; projects all; expires never)",
      );
      const row = await db
        .selectFrom("api_tokens")
        .selectAll()
        .where("name", "=", "first-admin")
        .executeTakeFirstOrThrow();
      expect(row.secret_hash).toBe(apiTokenSecretHash(secret));
      expect(row.created_by).toMatch(/^cli:/);
      const audit = await db
        .selectFrom("audit_events")
        .select(["actor", "action", "target"])
        .where("target", "=", "token:first-admin")
        .execute();
      expect(audit).toEqual([
        {
          actor: row.created_by,
          action: "token.create",
          target: "token:first-admin",
        },
      ]);

      const api = await startApi(url);
      const get = (path: string, token?: string) =>
        fetch(api + path, {
          headers:
            token === undefined ? {} : { authorization: `Bearer ${token}` },
        });
      expect((await get("/projects")).status).toBe(401);
      expect((await get("/projects", secret)).status).toBe(200);
      // the CLI's first token makes the next one through the API
      const viaApi = await fetch(`${api}/tokens`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${secret}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          name: "dashboard",
          scopes: ["read"],
          projects: ["orders"],
          expires_at: "2099-01-01T00:00:00Z",
        }),
      });
      expect(viaApi.status).toBe(201);

      const listed = await vigil(["token", "list"], url);
      expect(listed.code, listed.stderr).toBe(0);
      const lines = listed.stdout.trim().split("\n");
      expect(lines[0]).toMatch(
        /^NAME +STATUS +SCOPES +PROJECTS +EXPIRES +LAST USED +CREATED BY$/,
      );
      expect(lines[1]).toMatch(
        /^dashboard +active +read +orders +2099-01-01T00:00:00.000Z +never +first-admin$/,
      );
      expect(lines[2]).toMatch(
        /^first-admin +active +read,admin +all +never +\S+ +cli:/,
      );
      expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout).not.toContain(row.secret_hash);

      const again = await vigil(
        ["token", "create", "first-admin", "--scopes", "read"],
        url,
      );
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('a token named "first-admin" exists');

      const revoked = await vigil(["token", "revoke", "first-admin"], url);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toContain("token first-admin revoked at");
      // another process revoked it: the API's lookup cache lets it through for at most 5 s
      const refused = await waitFor(
        async () => {
          const res = await get("/projects", secret);
          return res.status === 401 ? res : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 250 },
      );
      expect(
        ((await refused.json()) as { error: { code: string } }).error.code,
      ).toBe("invalid_token");
      const after = await vigil(["token", "list"], url);
      expect(after.stdout).toMatch(/^first-admin +revoked /m);

      const unknown = await vigil(["token", "revoke", "nobody"], url);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no token named "nobody"');
    },
    60_000,
  );

  dbTest(
    "create names the option it refuses and writes nothing",
    async ({ db, testDatabase }) => {
      for (const [args, message] of [
        [["token", "create", "x", "--scopes", "read,root"], "--scopes.1: "],
        [["token", "create", "x"], "--scopes: required"],
        [["token", "create", "--scopes", "read"], "NAME: required"],
        [
          ["token", "create", "Bad Name", "--scopes", "read"],
          "NAME: expected lowercase",
        ],
        [
          ["token", "create", "x", "--scopes", "admin", "--projects", "a"],
          "--projects: an admin token manages every project",
        ],
        [
          ["token", "create", "x", "--scopes", "read", "--expires", "soon"],
          "--expires: ",
        ],
        [
          [
            "token",
            "create",
            "x",
            "--scopes",
            "read",
            "--expires",
            "2000-01-01T00:00:00Z",
          ],
          "--expires: expected a time in the future",
        ],
      ] as const) {
        const res = await vigil([...args], testDatabase.url);
        expect(res.code, `${args.join(" ")}: ${res.stderr}`).toBe(1);
        expect(res.stderr, args.join(" ")).toContain(message);
        expect(res.stderr).toContain("no token was created");
      }
      const usage = await vigil(["token", "frobnicate"], testDatabase.url);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain(
        "token needs a subcommand: create, list or revoke",
      );
      expect(
        await db
          .selectFrom("api_tokens")
          .select("name")
          .where("name", "=", "x")
          .execute(),
      ).toEqual([]);
    },
  );
});
