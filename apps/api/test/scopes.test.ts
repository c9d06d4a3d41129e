/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- tests read response bodies (typed any) freely */
import type { Scope } from "@vigil/contracts";
import {
  apiTokenSecretHash,
  insertApiToken,
  newApiTokenSecret,
  type Db,
} from "@vigil/db";
import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { isProjectRoute } from "../src/http/project-access.js";
import type { RouteDef } from "../src/routes/route.js";
import { startTestApi, TOKEN, type TestApi } from "./helpers.js";

const SCOPES: Scope[] = ["read", "write", "triage", "admin"];

/**
 * The scope every route needs, written out once more: a route whose access changes, or a
 * new route, fails here until this table says what it should need.
 */
const EXPECTED_ACCESS: Record<string, Scope | "public"> = {
  "get /health": "public",
  "get /ready": "public",
  "get /metrics": "public",
  "get /openapi.json": "public",
  "get /docs": "public",
  "get /status": "read",
  "get /queue": "read",
  "get /stats": "read",
  "get /projects": "read",
  "post /projects": "write",
  "get /projects/:id": "read",
  "put /projects/:id": "write",
  "patch /projects/:id": "write",
  "delete /projects/:id": "write",
  "post /projects/refresh": "admin",
  "post /projects/:id/trigger": "write",
  "post /projects/:id/data": "write",
  "post /projects/:id/backfill": "write",
  "post /projects/:id/dry-run": "write",
  "get /backfills/:id": "read",
  "post /backfills/:id/cancel": "write",
  "post /executions/:id/replay": "write",
  "delete /projects/:id/cleanup": "admin",
  "get /projects/:id/schedules": "read",
  "post /projects/:id/schedules": "write",
  "get /projects/:id/schedules/:scheduleId": "read",
  "patch /projects/:id/schedules/:scheduleId": "write",
  "delete /projects/:id/schedules/:scheduleId": "write",
  "get /projects/:id/rules": "read",
  "post /projects/:id/rules": "write",
  "get /projects/:id/rules/:ruleId": "read",
  "patch /projects/:id/rules/:ruleId": "write",
  "delete /projects/:id/rules/:ruleId": "write",
  "get /failures": "read",
  "get /projects/:id/executions": "read",
  "get /projects/:id/runs": "read",
  "get /executions/:id": "read",
  "get /projects/:id/discrepancies": "read",
  "patch /projects/:id/discrepancies": "triage",
  "get /projects/:id/discrepancies/:fingerprint": "read",
  "patch /projects/:id/discrepancies/:fingerprint": "triage",
  "get /executions/:id/deliveries": "read",
  "get /executions/:id/changes": "read",
  "get /reports/dead": "read",
  "post /reports/:id/requeue": "admin",
  "post /channels/test": "write",
  "post /cron/preview": "read",
  "get /audit": "admin",
  "post /tokens": "admin",
  "get /tokens": "admin",
  "delete /tokens/:name": "admin",
};

/** The discrepancy each seeded project has. */
const FINGERPRINT = "f".repeat(64);

interface Seeded {
  executionId: number;
  outboxId: number;
  scheduleId: number;
}

/** A project with a schedule, a rule, a pending trigger, an execution and a dead report. */
async function seed(db: Db, id: string): Promise<Seeded> {
  await insertProject(db, { id });
  const schedule = await db
    .insertInto("schedules")
    .values({ project_id: id, cron_expression: "0 * * * *" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("rules")
    .values({
      project_id: id,
      rule_id: "r1",
      code: "export const detect = () => [];",
    })
    .execute();
  await db
    .insertInto("triggers")
    .values({
      project_id: id,
      source: "manual",
      fire_at: new Date(Date.now() + 3600_000),
      available_at: new Date(Date.now() + 3600_000),
    })
    .execute();
  const execution = await db
    .insertInto("executions")
    .values({
      project_id: id,
      status: "success",
      scheduled_for: new Date(),
      started_at: new Date(),
      finished_at: new Date(),
      duration_ms: 10,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("discrepancies")
    .values({
      project_id: id,
      fingerprint: FINGERPRINT,
      rule_id: "r1",
      finding_key: "k",
      severity: "low",
      message: "m",
      first_seen_at: new Date(),
      last_seen_at: new Date(),
      first_execution_id: execution.id,
      last_execution_id: execution.id,
    })
    .execute();
  const outbox = await db
    .insertInto("report_outbox")
    .values({
      project_id: id,
      execution_id: execution.id,
      idempotency_key: `${id}-report`,
      payload: "{}",
      status: "dead",
      dead_at: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return {
    executionId: execution.id,
    outboxId: outbox.id,
    scheduleId: schedule.id,
  };
}

async function makeToken(
  db: Db,
  name: string,
  scopes: Scope[],
  projects: string[] | null = null,
): Promise<string> {
  const secret = newApiTokenSecret();
  await insertApiToken(db, {
    name,
    secretHash: apiTokenSecretHash(secret),
    scopes,
    projects,
    createdBy: "test",
    expiresAt: null,
  });
  return secret;
}

/** A revoke by another process (the CLI, another replica): straight in the database. */
async function revokeBehind(db: Db, name: string): Promise<void> {
  await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date() })
    .where("name", "=", name)
    .execute();
}

const key = (r: RouteDef) => `${r.method} ${r.path}`;

/** Real ids of project `id` for reads; absent ones for writes, so the table changes nothing it needs. */
function pathFor(r: RouteDef, project: string, s: Seeded): string {
  const write = r.method !== "get";
  return r.path
    .replace(":scheduleId", write ? "999999" : String(s.scheduleId))
    .replace(":ruleId", write ? "absent-rule" : "r1")
    .replace(":fingerprint", write ? "0".repeat(64) : FINGERPRINT)
    .replace(":name", "absent-token")
    .replace(
      ":id",
      r.path.startsWith("/executions/")
        ? String(write ? 999999 : s.executionId)
        : r.path.startsWith("/reports/") || r.path.startsWith("/backfills/")
          ? "999999"
          : write &&
              r.path !== "/projects/:id/schedules" &&
              r.path !== "/projects/:id/rules"
            ? "absent-project"
            : project,
    );
}

interface ScopeFixture {
  api: TestApi;
  alpha: Seeded;
  beta: Seeded;
  /** A token holding just that scope, for every project. */
  tokens: Record<Scope, string>;
  /** read, write and triage on project alpha only. */
  alphaTeam: string;
}

const test = dbTest.extend<{ f: ScopeFixture }>({
  f: [
    async ({ dbHandle, db }, use) => {
      const api = await startTestApi(dbHandle, {
        readTokenRequired: true,
        tokenCacheMs: 200,
      });
      const alpha = await seed(db, "alpha");
      const beta = await seed(db, "beta");
      const tokens = {} as Record<Scope, string>;
      for (const scope of SCOPES) {
        tokens[scope] = await makeToken(db, `only-${scope}`, [scope]);
      }
      const alphaTeam = await makeToken(
        db,
        "alpha-team",
        ["read", "write", "triage"],
        ["alpha"],
      );
      await use({ api, alpha, beta, tokens, alphaTeam });
      await api.server.close({ graceMs: 100 });
    },
    { scope: "file" },
  ],
});

describe("scopes and project limits, with reads requiring a token", () => {
  test("every route of the route table needs the scope this table names", ({
    f: { api },
  }) => {
    for (const r of api.server.routes) {
      expect(r.access, `${key(r)} needs what EXPECTED_ACCESS says`).toBe(
        EXPECTED_ACCESS[key(r)],
      );
    }
  });

  test("every route and every scope: allowed is not 401/403 (nor 5xx), disallowed is 403 naming the scope, no token is 401 with the Bearer challenge", async ({
    f: { api, alpha, tokens },
  }) => {
    for (const r of api.server.routes) {
      const path = pathFor(r, "alpha", alpha);
      const method = r.method.toUpperCase();
      const body = r.method === "get" ? undefined : {};
      const anonymous = await api.call(method, path, { token: null, body });
      if (r.access === "public") {
        expect(anonymous.status, `${key(r)} anonymous`).toBeLessThan(400);
        continue;
      }
      expect(anonymous.status, `${key(r)} anonymous`).toBe(401);
      expect(anonymous.headers.get("www-authenticate"), key(r)).toBe("Bearer");
      expect(anonymous.json.error.code).toBe("unauthorized");
      for (const scope of SCOPES) {
        const res = await api.call(method, path, {
          token: tokens[scope],
          body,
        });
        const what = `${key(r)} as ${path} with a "${scope}" token: ${res.text.slice(0, 300)}`;
        if (scope === r.access) {
          expect(res.status, what).not.toBe(401);
          expect(res.status, what).not.toBe(403);
          expect(res.status, what).toBeLessThan(500);
        } else {
          expect(res.status, what).toBe(403);
          expect(res.json.error).toMatchObject({
            code: "forbidden",
            message: `this token lacks the scope "${r.access}"`,
          });
          expect(res.headers.get("www-authenticate"), what).toBe(
            `Bearer error="insufficient_scope", scope="${r.access}"`,
          );
        }
      }
      // the API_TOKENS entries hold every scope
      const admin = await api.call(method, path, { token: TOKEN, body });
      expect([401, 403], `${key(r)} with API_TOKENS`).not.toContain(
        admin.status,
      );
    }
  });

  test("a token limited to projects gets 404 on every route of another project, as if it were absent, and changes nothing there", async ({
    db,
    f: { api, alpha, beta, alphaTeam },
  }) => {
    const before = JSON.stringify(
      await db
        .selectFrom("projects")
        .selectAll()
        .where("id", "=", "beta")
        .execute(),
    );
    const routes = api.server.routes.filter(
      (r) => isProjectRoute(r.path) && r.access !== "admin",
    );
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const r of routes) {
      const path = r.path
        .replace(":id", "beta")
        .replace(":scheduleId", String(beta.scheduleId))
        .replace(":ruleId", "r1")
        .replace(":fingerprint", FINGERPRINT);
      const res = await api.call(r.method.toUpperCase(), path, {
        token: alphaTeam,
        body: r.method === "get" ? undefined : { name: "taken over" },
      });
      expect(res.status, `${key(r)} on beta: ${res.text}`).toBe(404);
      expect(res.json.error.message).toBe('project "beta" does not exist');
      if (r.method === "get") {
        const ownPath = r.path
          .replace(":id", "alpha")
          .replace(":scheduleId", String(alpha.scheduleId))
          .replace(":ruleId", "r1")
          .replace(":fingerprint", FINGERPRINT);
        const own = await api.call("GET", ownPath, {
          token: alphaTeam,
        });
        expect(own.status, `${key(r)} on alpha: ${own.text}`).toBe(200);
      }
    }
    const patched = await api.call("PATCH", "/projects/alpha", {
      token: alphaTeam,
      body: { description: "changed by its own team" },
    });
    expect(patched.status, patched.text).toBe(200);
    const run = await api.call("POST", "/projects/alpha/trigger", {
      token: alphaTeam,
    });
    expect(run.status, run.text).toBe(202);
    for (const path of [
      `/executions/${beta.executionId}`,
      `/executions/${beta.executionId}/deliveries`,
    ]) {
      const res = await api.call("GET", path, { token: alphaTeam });
      expect(res.status, path).toBe(404);
      expect(res.json.error.message).toBe(
        `execution ${beta.executionId} does not exist`,
      );
      const own = path.replace(
        String(beta.executionId),
        String(alpha.executionId),
      );
      expect(
        (await api.call("GET", own, { token: alphaTeam })).status,
        own,
      ).toBe(200);
    }
    const created = await api.call("POST", "/projects", {
      token: alphaTeam,
      body: {
        id: "gamma",
        name: "Gamma",
        config: { data_source: { type: "manual" } },
        schedules: [],
        rules: [],
      },
    });
    expect(created.status, created.text).toBe(403);
    expect(created.json.error.message).toContain(
      'cannot create project "gamma"',
    );
    expect(
      JSON.stringify(
        await db
          .selectFrom("projects")
          .selectAll()
          .where("id", "=", "beta")
          .execute(),
      ),
    ).toBe(before);
    expect(
      await db
        .selectFrom("projects")
        .select("id")
        .where("id", "=", "gamma")
        .execute(),
    ).toEqual([]);
  });

  test("lists across projects show a project-limited token only its projects; asking for another gives the empty answer of an absent one", async ({
    f: { api, alphaTeam },
  }) => {
    const as = (path: string) => api.call("GET", path, { token: alphaTeam });
    const all = (path: string) => api.call("GET", path, { token: TOKEN });

    expect((await all("/projects")).json.items.map((p: any) => p.id)).toEqual([
      "alpha",
      "beta",
    ]);
    expect((await as("/projects")).json.items.map((p: any) => p.id)).toEqual([
      "alpha",
    ]);

    const projectsOf = (items: any[]) =>
      [...new Set(items.map((i: any) => i.project_id))].sort();
    expect(projectsOf((await all("/queue")).json)).toEqual(["alpha", "beta"]);
    expect(projectsOf((await as("/queue")).json)).toEqual(["alpha"]);
    expect((await as("/queue?project_id=beta")).json).toEqual([]);
    expect(projectsOf((await as("/queue?project_id=alpha")).json)).toEqual([
      "alpha",
    ]);

    expect((await all("/stats")).json.total).toBe(2);
    expect((await as("/stats")).json.total).toBe(1);
    expect((await as("/stats?project_id=beta")).json.total).toBe(0);
    expect((await as("/stats?project_id=alpha")).json.total).toBe(1);

    expect(projectsOf((await all("/reports/dead")).json.items)).toEqual([
      "alpha",
      "beta",
    ]);
    expect(projectsOf((await as("/reports/dead")).json.items)).toEqual([
      "alpha",
    ]);
    expect((await as("/reports/dead?project_id=beta")).json.items).toEqual([]);
  });

  test("POST /tokens answers the secret once; GET /tokens never shows a secret or hash; the new token works until it is revoked", async ({
    db,
    f: { api, tokens },
  }) => {
    const created = await api.call("POST", "/tokens", {
      token: tokens.admin,
      body: {
        name: "ci-deploy",
        scopes: ["read", "write"],
        projects: ["alpha"],
      },
    });
    expect(created.status, created.text).toBe(201);
    const secret: string = created.json.token;
    expect(secret).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(created.json).toMatchObject({
      name: "ci-deploy",
      scopes: ["read", "write"],
      projects: ["alpha"],
      expires_at: null,
      created_by: "only-admin",
    });
    const row = await db
      .selectFrom("api_tokens")
      .selectAll()
      .where("name", "=", "ci-deploy")
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(apiTokenSecretHash(secret));
    expect(JSON.stringify(row)).not.toContain(secret);

    const use = await api.call("GET", "/projects/alpha", { token: secret });
    expect(use.status).toBe(200);
    expect(
      (await api.call("GET", "/projects/beta", { token: secret })).status,
    ).toBe(404);

    await waitFor(async () => {
      const list = await api.call("GET", "/tokens", { token: tokens.admin });
      return list.json.items.find((t: any) => t.name === "ci-deploy")
        ?.last_used_at;
    });
    const list = await api.call("GET", "/tokens", { token: tokens.admin });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain(row.secret_hash);
    expect(list.text).not.toContain("secret_hash");
    expect(
      list.json.items.find((t: any) => t.name === "ci-deploy"),
    ).toMatchObject({
      status: "active",
      scopes: ["read", "write"],
      projects: ["alpha"],
      revoked_at: null,
    });

    const again = await api.call("POST", "/tokens", {
      token: tokens.admin,
      body: { name: "ci-deploy", scopes: ["read"] },
    });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("conflict");

    const revoked = await api.call("DELETE", "/tokens/ci-deploy", {
      token: tokens.admin,
    });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.json).toMatchObject({
      name: "ci-deploy",
      status: "revoked",
    });
    expect(revoked.text).not.toContain(secret);
    // revoked in this process: refused at once, cache or not
    const refused = await api.call("GET", "/projects/alpha", { token: secret });
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe("invalid_token");
    expect(refused.json.error.message).toBe(
      'the token "ci-deploy" was revoked',
    );
    expect(refused.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token"',
    );

    expect(
      (await api.call("DELETE", "/tokens/nobody", { token: tokens.admin }))
        .status,
    ).toBe(404);
  });

  test("a token revoked or expired behind the API's back (CLI, another replica) is refused within the cache time", async ({
    db,
    f: { api },
  }) => {
    const late = await makeToken(db, "late", ["read"]);
    const soon = await makeToken(db, "soon", ["read"]);
    for (const t of [late, soon]) {
      expect((await api.call("GET", "/projects", { token: t })).status).toBe(
        200,
      );
    }
    await db
      .updateTable("api_tokens")
      .set({ revoked_at: new Date() })
      .where("name", "=", "late")
      .execute();
    await db
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("name", "=", "soon")
      .execute();
    for (const [t, message] of [
      [late, 'the token "late" was revoked'],
      [soon, 'the token "soon" expired at'],
    ] as const) {
      const res = await waitFor(
        async () => {
          const r = await api.call("GET", "/projects", { token: t });
          return r.status === 401 ? r : undefined;
        },
        { timeoutMs: 3000 },
      );
      expect(res.json.error.code).toBe("invalid_token");
      expect(res.json.error.message).toContain(message);
    }
  });

  test("lookups are cached per process: a revoke behind its back waits for the cache, one through DELETE /tokens is at once", async ({
    db,
    dbHandle,
  }) => {
    const slow = await startTestApi(dbHandle, {
      readTokenRequired: true,
      tokenCacheMs: 60_000,
    });
    try {
      const [behind, through] = [
        await makeToken(db, "cached-behind", ["read"]),
        await makeToken(db, "cached-through", ["read"]),
      ];
      for (const t of [behind, through]) {
        expect((await slow.call("GET", "/projects", { token: t })).status).toBe(
          200,
        );
      }
      await revokeBehind(db, "cached-behind");
      // no query per request: the cached row still says active
      expect(
        (await slow.call("GET", "/projects", { token: behind })).status,
      ).toBe(200);
      expect((await slow.call("DELETE", "/tokens/cached-through")).status).toBe(
        200,
      );
      const refused = await slow.call("GET", "/projects", { token: through });
      expect(refused.status).toBe(401);
      expect(refused.json.error.message).toBe(
        'the token "cached-through" was revoked',
      );
    } finally {
      await slow.server.close({ graceMs: 100 });
    }
  });

  test("POST /tokens names the field it refuses, and an admin token cannot be limited to projects", async ({
    db,
    f: { api, tokens },
  }) => {
    const post = (body: unknown) =>
      api.call("POST", "/tokens", { token: tokens.admin, body });
    for (const [body, path] of [
      [{ name: "x", scopes: ["nope"] }, "scopes.0"],
      [{ name: "x", scopes: [] }, "scopes"],
      [{ name: "Bad Name", scopes: ["read"] }, "name"],
      [{ name: "api-token-7", scopes: ["read"] }, "name"],
      [{ name: "x", scopes: ["admin"], projects: ["alpha"] }, "projects"],
      [{ name: "x", scopes: ["read"], projects: [] }, "projects"],
      [
        { name: "x", scopes: ["read"], expires_at: "2001-01-01T00:00:00Z" },
        "expires_at",
      ],
      [{ name: "x", scopes: ["read"], expires_at: "tomorrow" }, "expires_at"],
      [{ name: "x", scopes: ["read"], secret: "mine" }, "(root)"],
    ] as const) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.code).toBe("validation_failed");
      expect(
        res.json.error.details.map((d: any) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect(
      await db
        .selectFrom("api_tokens")
        .select("name")
        .where("name", "=", "x")
        .execute(),
    ).toEqual([]);
  });
});
