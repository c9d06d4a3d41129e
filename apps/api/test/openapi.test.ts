/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { describe, expect } from "vitest";

import { apiTest as test } from "./helpers.js";

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every (method, path) express will route, read from the live router, in OpenAPI spelling. */
function routesOfRouter(app: { router: { stack: Layer[] } }): string[] {
  return app.router.stack
    .flatMap((layer) =>
      layer.route === undefined
        ? []
        : Object.keys(layer.route.methods).map(
            (m) => `${m} ${layer.route!.path}`,
          ),
    )
    .map((entry) => entry.replace(/:([A-Za-z_]\w*)/g, "{$1}"))
    .sort();
}

/** Every `$ref` in the document points at a component that exists. */
function danglingRefs(doc: unknown): string[] {
  const text = JSON.stringify(doc);
  const refs = [
    ...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g),
  ].map((m) => m[1]!);
  const schemas =
    (doc as { components?: { schemas?: Record<string, unknown> } }).components
      ?.schemas ?? {};
  return refs.filter((r) => !(r in schemas));
}

describe("OpenAPI document", () => {
  test("lists exactly the routes the server has, and no other", async ({
    api,
  }) => {
    const res = await api.call("GET", "/openapi.json", { token: null });
    expect(res.status).toBe(200);
    const documented = Object.entries(
      res.json.paths as Record<string, Record<string, unknown>>,
    )
      .flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      )
      .sort();
    expect(documented).toEqual(
      routesOfRouter(
        api.server.app as unknown as { router: { stack: Layer[] } },
      ),
    );
    expect(documented.length).toBeGreaterThanOrEqual(30);
  });

  test("is a well-formed OpenAPI 3.1 document: unique operation ids, responses everywhere, no dangling refs", ({
    api,
  }) => {
    const doc = api.server.openapi as unknown as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            responses: Record<string, unknown>;
            security?: unknown[];
            parameters?: Array<{ in: string; name: string }>;
          }
        >
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("Vigil API");
    const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({ path, method, op })),
    );
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of ops) {
      expect(
        Object.keys(op.responses).length,
        `${method} ${path}`,
      ).toBeGreaterThan(1);
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        expect(
          op.parameters?.some((p) => p.in === "path" && p.name === name),
          `${method} ${path} documents {${name}}`,
        ).toBe(true);
      }
      const route = api.server.routes.find(
        (r) =>
          r.method === method && r.path.replace(/:(\w+)/g, "{$1}") === path,
      );
      expect(op.security, `${method} ${path} names the scope it needs`).toEqual(
        route?.access === "public" ? [] : [{ bearerToken: [route?.access] }],
      );
      if (method !== "get") {
        expect(op.responses).toHaveProperty("401");
        expect(op.responses).toHaveProperty(["429", "headers", "Retry-After"]);
      }
      if (op.security !== undefined && op.security.length > 0) {
        expect(op.responses).toHaveProperty([
          "401",
          "headers",
          "WWW-Authenticate",
        ]);
        expect(op.responses).toHaveProperty([
          "403",
          "headers",
          "WWW-Authenticate",
        ]);
      }
    }
    expect(danglingRefs(doc)).toEqual([]);
  });
  test("carries the project schemas' field descriptions and defaults (the same .describe() as docs/first-project.md)", ({
    api,
  }) => {
    const doc = api.server.openapi as unknown as {
      paths: Record<string, Record<string, any>>;
    };
    // inline, not a $ref: the project schemas are not registered as components
    const body =
      doc.paths["/projects"]?.post?.requestBody?.content["application/json"]
        ?.schema;
    const config = body?.properties?.config;
    expect(body?.properties?.id?.description).toContain("slug");
    expect(config?.properties?.lookback?.description).toContain(
      "Length of each run's window",
    );
    expect(config?.properties?.lookback).toMatchObject({
      default: "PT1H",
      format: "duration",
    });
    const sql = (config?.properties?.data_source?.oneOf as any[]).find(
      (variant) => variant.properties?.type?.enum?.[0] === "sql",
    );
    expect(sql?.properties?.query?.description).toContain(":start");
  });
});
