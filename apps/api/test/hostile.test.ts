/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { defineRoute } from "../src/index.js";
import { apiTest as test, projectBody, startTestApi } from "./helpers.js";

describe("hostile input", () => {
  test("malformed JSON is a 400 and the wrong content type a 415", async ({
    api,
  }) => {
    const bad = await api.call("POST", "/projects", {
      raw: '{"id": "x",',
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("malformed_json");
    const form = await api.call("POST", "/projects", {
      raw: "id=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(form.json.error.code).toBe("unsupported_media_type");
    const none = await api.call("POST", "/projects", {});
    expect(none.status).toBe(422);
  });

  test("an oversized body is a 413 before the server reads it all", async ({
    dbHandle,
  }) => {
    const small = await startTestApi(dbHandle, {
      bodyLimitBytes: 1024,
      uploadLimitBytes: 2048,
    });
    try {
      const big = await small.call("POST", "/projects", {
        body: projectBody("big", { description: "x".repeat(5000) }),
      });
      expect(big.status).toBe(413);
      expect(big.json.error.code).toBe("payload_too_large");
      const p = await insertProject(dbHandle.db);
      const upload = await small.call("POST", `/projects/${p.id}/data`, {
        raw: `a\n${"1\n".repeat(2000)}`,
        headers: { "content-type": "text/csv" },
      });
      expect(upload.status).toBe(413);
    } finally {
      await small.server.close({ graceMs: 100 });
    }
  });

  test("deeply nested JSON and __proto__ keys are refused and pollute nothing", async ({
    api,
  }) => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const nested = await api.call("POST", "/projects", {
      raw: `{"id":"deep","name":"d","config":{"data_source":{"type":"manual"}},"rules":[{"rule_id":"r","code":"x","parameters":{"a":${deep}}}]}`,
      headers: { "content-type": "application/json" },
    });
    expect(nested.status).toBe(400);
    expect(["too_deeply_nested", "malformed_json"]).toContain(
      nested.json.error.code,
    );
    const proto = await api.call("POST", "/projects", {
      raw: '{"id":"proto","name":"p","config":{"data_source":{"type":"manual"}},"__proto__":{"polluted":true}}',
      headers: { "content-type": "application/json" },
    });
    expect(proto.status).toBe(400);
    expect(proto.json.error.code).toBe("forbidden_key");
    const inner = await api.call("POST", "/cron/preview", {
      raw: '{"cron_expression":"* * * * *","constructor":{"prototype":{"polluted":true}}}',
      headers: { "content-type": "application/json" },
    });
    expect(inner.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("hostile query strings are rejected with a 400 or are harmless", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const base = `/projects/${p.id}/executions`;
    const cases = [
      `${base}?status=success';drop table executions;--`,
      `${base}?limit=1e309`,
      `${base}?limit=-1`,
      `${base}?limit=99999999999999999999`,
      `${base}?limit=abc`,
      `${base}?limit=1&limit=2`,
      `${base}?cursor=../../etc/passwd`,
      `${base}?cursor=${Buffer.from("e:1 or 1=1").toString("base64url")}`,
      `${base}?cursor=${Buffer.from("p:abc").toString("base64url")}`,
      `${base}?sort=password`,
      `${base}?order_by=id;delete`,
      `${base}?from=yesterday`,
      "/projects?limit[]=1",
      "/stats?project_id=x' or '1'='1",
      "/queue?limit=0",
    ];
    for (const path of cases) {
      const res = await api.call("GET", path);
      expect(res.status, path).toBe(400);
      expect(["invalid_query", "invalid_parameter"], path).toContain(
        res.json.error.code,
      );
    }
    expect((await api.call("GET", "/projects/'%20or%201=1")).status).toBe(400);
    expect((await api.call("GET", "/executions/1e3")).status).toBe(400);
    expect(
      (await api.call("GET", "/executions/99999999999999999999")).status,
    ).toBe(400);
    expect(
      await db.selectFrom("executions").select("id").limit(1).execute(),
    ).toEqual([]);
    expect((await api.call("GET", "/health")).status).toBe(200);
  });

  test("malformed percent-encoding in a path is a 400 naming the parameter, for anonymous callers too", async ({
    api,
    dbHandle,
  }) => {
    const strict = await startTestApi(dbHandle, { readTokenRequired: true });
    try {
      for (const [path, param] of [
        ["/projects/%", "id"],
        ["/projects/%C0%AF", "id"],
        ["/projects/%E0%A4%A", "id"],
        ["/projects/ok/rules/%FF", "ruleId"],
        ["/projects/%ED%A0%80/schedules", "id"],
        ["/executions/%zz", "id"],
      ] as const) {
        for (const [who, client, token] of [
          ["anonymous", api, null],
          ["anonymous, reads closed", strict, null],
          ["with a token", api, undefined],
        ] as const) {
          for (const method of ["GET", "DELETE", "PATCH"]) {
            const res = await client.call(method, path, { token });
            expect(res.status, `${method} ${path} ${who}`).toBe(400);
            expect(res.json.error.code).toBe("invalid_parameter");
            expect(res.json.error.details).toEqual([
              { path: param, message: expect.stringContaining("percent") },
            ]);
          }
        }
      }
      for (const path of ["/docs/%", "/nope/%C0%AF", "/%"]) {
        const res = await api.call("GET", path, { token: null });
        expect(res.status, path).toBeLessThan(500);
        expect(res.json.error.code, path).toBeDefined();
      }
    } finally {
      await strict.server.close({ graceMs: 100 });
    }
  });

  test("NUL characters and lone surrogates are a 400 naming the field and store nothing", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const before = await db.selectFrom("projects").selectAll().execute();
    const cases: Array<
      [
        string,
        string,
        { raw?: string; body?: unknown; headers?: Record<string, string> },
        string,
      ]
    > = [
      [
        "POST",
        "/projects",
        { body: projectBody("nul", { name: "a\u0000b" }) },
        "name",
      ],
      [
        "POST",
        "/projects",
        {
          raw: JSON.stringify(projectBody("lone")).replace(
            '"Project lone"',
            '"x\\ud800y"',
          ),
          headers: { "content-type": "application/json" },
        },
        "name",
      ],
      [
        "POST",
        "/projects",
        {
          body: projectBody("rule", {
            rules: [
              { rule_id: "r", code: "export const detect = () => [];\u0000" },
            ],
          }),
        },
        "rules.0.code",
      ],
      [
        "PATCH",
        `/projects/${p.id}`,
        {
          raw: '{"description":"\\udc00"}',
          headers: { "content-type": "application/json" },
        },
        "description",
      ],
      [
        "PATCH",
        `/projects/${p.id}`,
        {
          raw: '{"config":{"data_source":{"type":"manual"},"x\\u0000":1}}',
          headers: { "content-type": "application/json" },
        },
        "config",
      ],
      [
        "POST",
        "/cron/preview",
        { body: { cron_expression: "* * * * *", timezone: "UTC\u0000" } },
        "timezone",
      ],
      [
        "POST",
        `/projects/${p.id}/data`,
        { raw: "a,b\n1,x\u0000y\n", headers: { "content-type": "text/csv" } },
        "rows.0.b",
      ],
      ["POST", `/projects/${p.id}/data`, { body: [{ a: "\ud800" }] }, "0.a"],
      ["GET", "/projects/%00", {}, "params.id"],
      ["GET", `/projects/${p.id}/executions?status=%00`, {}, "query.status"],
      [
        "POST",
        `/projects/${p.id}/data?filename=a%00.csv`,
        { raw: "a\n1\n", headers: { "content-type": "text/csv" } },
        "query.filename",
      ],
    ];
    for (const [method, path, o, field] of cases) {
      const res = await api.call(method, path, o);
      expect(res.status, `${method} ${path} ${field}`).toBe(400);
      expect(res.json.error.code, field).toBe("invalid_text");
      expect(res.json.error.details[0].path, field).toBe(field);
      expect(res.json.error.message, field).toContain(field);
    }
    expect(await db.selectFrom("projects").selectAll().execute()).toEqual(
      before,
    );
    expect(await db.selectFrom("datasets").select("id").execute()).toEqual([]);
  });

  test("CORS answers preflights for configured origins only", async ({
    dbHandle,
  }) => {
    const cors = await startTestApi(dbHandle, {
      corsOrigins: ["https://dash.example.com"],
    });
    try {
      const ok = await fetch(`${cors.url}/projects`, {
        method: "OPTIONS",
        headers: {
          origin: "https://dash.example.com",
          "access-control-request-method": "POST",
        },
      });
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-origin")).toBe(
        "https://dash.example.com",
      );
      expect(ok.headers.get("access-control-allow-headers")).toContain(
        "Authorization",
      );
      const other = await cors.call("GET", "/health", {
        headers: { origin: "https://evil.example.com" },
      });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await cors.server.close({ graceMs: 100 });
    }
  });

  test("a request in flight completes during a graceful close, and new connections are refused", async ({
    dbHandle,
  }) => {
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = defineRoute({
      method: "get",
      path: "/test/slow",
      tag: "test",
      access: "public",
      summary: "Waits until the test releases it",
      responses: { 200: { description: "Done" } },
      handler: async () => {
        entered();
        await released;
        return { json: { done: true } };
      },
    });
    const api = await startTestApi(dbHandle, { extraRoutes: [slow] });
    const inFlight = api.call("GET", "/test/slow");
    await inside;
    const closing = api.server.close({ graceMs: 5000 });
    await expect(fetch(`${api.url}/health`)).rejects.toThrow();
    release();
    expect((await inFlight).json).toEqual({ done: true });
    await closing;
  });
});
