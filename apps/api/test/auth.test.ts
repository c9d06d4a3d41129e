/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import type { Db } from "@vigil/db";
import { insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import {
  apiTest as test,
  OTHER_TOKEN,
  startTestApi,
  TOKEN,
} from "./helpers.js";

/** A cheap fingerprint of everything a write route could change. */
async function snapshot(db: Db): Promise<string> {
  const tables = [
    "projects",
    "schedules",
    "rules",
    "triggers",
    "executions",
    "datasets",
    "discrepancies",
    "api_tokens",
  ] as const;
  const counts = await Promise.all(
    tables.map((t) =>
      db
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
    ),
  );
  const projects = await db
    .selectFrom("projects")
    .select(["id", "version", "name"])
    .orderBy("id")
    .execute();
  return JSON.stringify({ counts, projects });
}

/** Fills path parameters with values that exist, so a missing auth check would reach the handler. */
function concretePath(
  path: string,
  projectId: string,
  scheduleId: number,
): string {
  return path
    .replace(":name", "some-token")
    .replace(":id", projectId)
    .replace(":scheduleId", String(scheduleId))
    .replace(":ruleId", "r1");
}

describe("authentication", () => {
  test("every route above read access (writes, admin reads), as listed by the router itself, refuses missing, malformed and wrong tokens and changes nothing", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db, { id: "guarded" });
    const s = await db
      .insertInto("schedules")
      .values({ project_id: p.id, cron_expression: "0 * * * *" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("rules")
      .values({
        project_id: p.id,
        rule_id: "r1",
        code: "export const detect = () => [];",
      })
      .execute();
    // every route that needs a token even while reads are open
    const writes = api.server.routes.filter(
      (r) => r.access !== "read" && r.access !== "public",
    );
    expect(writes.length).toBeGreaterThanOrEqual(15);
    const before = await snapshot(db);
    for (const route of writes) {
      const path = concretePath(route.path, p.id, s.id);
      const body =
        route.method === "get"
          ? undefined
          : {
              id: p.id,
              name: "hijacked",
              scopes: ["admin"],
              cron_expression: "0 * * * *",
              rule_id: "r2",
              code: "export const detect = () => [];",
            };
      const missing = await api.call(route.method.toUpperCase(), path, {
        token: null,
        body,
      });
      expect(
        missing.status,
        `${route.method} ${route.path} without a token`,
      ).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe("Bearer");
      const malformed = await api.call(route.method.toUpperCase(), path, {
        token: null,
        headers: { authorization: `Basic ${TOKEN}` },
        body,
      });
      expect(
        malformed.status,
        `${route.method} ${route.path} with Basic auth`,
      ).toBe(401);
      expect(malformed.headers.get("www-authenticate")).toBe("Bearer");
      const wrong = await api.call(route.method.toUpperCase(), path, {
        token: "not-the-token-xxxxxxxxxxxx",
        body,
      });
      expect(
        wrong.status,
        `${route.method} ${route.path} with a wrong token`,
      ).toBe(401);
      expect(wrong.json.error.code).toBe("invalid_token");
      expect(wrong.headers.get("www-authenticate")).toBe(
        'Bearer error="invalid_token"',
      );
    }
    expect(await snapshot(db)).toBe(before);
  });

  test("the second configured token works and is recorded by its name api-token-2, never by value", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const res = await api.call("POST", `/projects/${p.id}/trigger`, {
      token: OTHER_TOKEN,
    });
    expect(res.status).toBe(202);
    expect(res.json.requested_by).toBe("api:api-token-2");
  });

  test("reads are open by default and need a token when API_READ_TOKEN_REQUIRED is set, except probes and docs", async ({
    api,
    dbHandle,
  }) => {
    expect((await api.call("GET", "/projects", { token: null })).status).toBe(
      200,
    );
    const strict = await startTestApi(dbHandle, { readTokenRequired: true });
    try {
      for (const route of strict.server.routes.filter(
        (r) => r.method === "get" && r.access === "read",
      )) {
        const path = concretePath(route.path, "guarded", 1);
        expect(
          (await strict.call("GET", path, { token: null })).status,
          route.path,
        ).toBe(401);
      }
      expect(
        (
          await strict.call("GET", "/projects", {
            token: "wrong-token-xxxxxxxxxxxx",
          })
        ).status,
      ).toBe(401);
      expect((await strict.call("GET", "/projects")).status).toBe(200);
      expect(
        (
          await strict.call("GET", "/projects", {
            token: null,
            headers: { authorization: `bEaReR ${TOKEN}` },
          })
        ).status,
      ).toBe(200);
      for (const path of [
        "/health",
        "/ready",
        "/metrics",
        "/openapi.json",
        "/docs",
      ]) {
        expect(
          (await strict.call("GET", path, { token: null })).status,
          path,
        ).toBe(200);
      }
    } finally {
      await strict.server.close({ graceMs: 100 });
    }
  });

  test("with no API_TOKENS and no stored token matching, a write is refused as an invalid token", async ({
    dbHandle,
  }) => {
    const closed = await startTestApi(dbHandle, { tokens: [] });
    try {
      const res = await closed.call("POST", "/projects/refresh");
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("invalid_token");
      expect(res.json.error.message).toContain("API_TOKENS");
    } finally {
      await closed.server.close({ graceMs: 100 });
    }
  });
});
