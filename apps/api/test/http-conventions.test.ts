/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { CONTENT_SECURITY_POLICY } from "../src/http/security-headers.js";
import {
  apiTest as test,
  OTHER_TOKEN,
  startTestApi,
  TOKEN,
} from "./helpers.js";

/** `directive value value; directive value` as a map. */
function parseCsp(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0] !== "")
      .map(([name, ...values]) => [name as string, values]),
  );
}

describe("HTTP conventions", () => {
  test("security headers come with every answer, JSON and errors alike", async ({
    api,
  }) => {
    for (const path of ["/health", "/projects", "/nope", "/openapi.json"]) {
      const res = await api.call("GET", path, { token: null });
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("strict-transport-security"), path).toMatch(
        /max-age=\d+/,
      );
      expect(res.headers.get("x-powered-by"), path).toBeNull();
      const csp = parseCsp(res.headers.get("content-security-policy"));
      expect(csp.get("script-src"), path).toEqual(["'self'"]);
      expect(csp.get("object-src"), path).toEqual(["'none'"]);
      expect(csp.has("upgrade-insecure-requests"), path).toBe(false);
    }
  });

  test("/docs renders under the CSP: every script and stylesheet it links is served from this origin, inline code is only <style>", async ({
    api,
  }) => {
    const page = await api.call("GET", "/docs", { token: null });
    expect(page.status).toBe(200);
    const csp = parseCsp(page.headers.get("content-security-policy"));
    expect(Object.fromEntries(csp)).toEqual(
      Object.fromEntries(
        Object.entries(CONTENT_SECURITY_POLICY).map(([k, v]) => [k, [...v]]),
      ),
    );
    const html = page.text;
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    const assets: string[] = [];
    for (const [, attrs, body] of scripts) {
      // script-src 'self' with no 'unsafe-inline': a script must be a same-origin file
      expect(body?.trim()).toBe("");
      const src = /src="([^"]+)"/.exec(attrs ?? "")?.[1];
      expect(src).toMatch(/^\/docs\//);
      assets.push(src as string);
    }
    for (const [, href] of html.matchAll(/<link[^>]*href="([^"]+)"/g)) {
      expect(href).toMatch(/^\/docs\//);
      assets.push(href as string);
    }
    expect(html).not.toMatch(/\son[a-z]+=/i); // script-src-attr 'none'
    // inline <style> blocks need 'unsafe-inline' in style-src, which the policy grants
    expect(html).toMatch(/<style>/);
    expect(csp.get("style-src")).toContain("'unsafe-inline'");
    for (const asset of assets) {
      const res = await fetch(api.url + asset);
      expect(res.status, asset).toBe(200);
      await res.arrayBuffer();
    }
    const init = await (
      await fetch(`${api.url}/docs/swagger-ui-init.js`)
    ).text();
    expect(init).toContain("/openapi.json"); // connect-src 'self'
  });

  test("OPTIONS preflights and CORS headers are unchanged by the security headers and limits", async ({
    dbHandle,
  }) => {
    const cors = await startTestApi(dbHandle, {
      corsOrigins: ["https://dash.example.com"],
      writeRateLimits: { windowMs: 60_000, perToken: 1, perIp: 1 },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${cors.url}/projects`, {
          method: "OPTIONS",
          headers: {
            origin: "https://dash.example.com",
            "access-control-request-method": "POST",
          },
        });
        expect(res.status).toBe(204);
        expect(res.headers.get("access-control-allow-origin")).toBe(
          "https://dash.example.com",
        );
        expect(res.headers.get("access-control-allow-methods")).toContain(
          "PATCH",
        );
      }
    } finally {
      await cors.server.close({ graceMs: 100 });
    }
  });

  test("writes are limited per token and per address with a 429 and Retry-After, reads are not, and the limit recovers", async ({
    dbHandle,
  }) => {
    const p = await insertProject(dbHandle.db, { id: "limited" });
    const limited = await startTestApi(dbHandle, {
      writeRateLimits: { windowMs: 1500, perToken: 2, perIp: 3 },
    });
    try {
      const trigger = (token: string | null) =>
        limited.call("POST", `/projects/${p.id}/trigger`, { token });
      expect((await trigger(TOKEN)).status).toBe(202);
      expect((await trigger(TOKEN)).status).toBe(202);
      const byToken = await trigger(TOKEN);
      expect(byToken.status).toBe(429);
      expect(byToken.json.error.code).toBe("rate_limited");
      expect(byToken.json.error.message).toContain("token");
      expect(Number(byToken.headers.get("retry-after"))).toBeGreaterThan(0);
      // the third write from this address in the window: the other token is
      // still under its own limit, the address is not
      const byIp = await trigger(OTHER_TOKEN);
      expect(byIp.status).toBe(429);
      expect(byIp.json.error.message).toContain("address");
      expect(byIp.headers.get("retry-after")).toMatch(/^\d+$/);
      // anonymous guessing is counted per address before authentication
      expect((await trigger(null)).status).toBe(429);
      for (let i = 0; i < 5; i++) {
        expect((await limited.call("GET", "/projects")).status).toBe(200);
        // a read sent as POST is a read: not counted, not limited
        const preview = await limited.call("POST", "/cron/preview", {
          token: TOKEN,
          body: { cron_expression: "0 * * * *", timezone: "UTC", count: 1 },
        });
        expect(preview.status).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 1600));
      expect((await trigger(OTHER_TOKEN)).status).toBe(202);
      expect((await trigger(null)).status).toBe(401);
    } finally {
      await limited.server.close({ graceMs: 100 });
    }
  });
});
