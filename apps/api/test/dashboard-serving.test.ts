/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { dbTest } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { startTestApi, type TestApi } from "./helpers.js";

/** A built dashboard as vite lays it out: index.html and hashed files under assets/. */
async function fakeBuild(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-ui-"));
  await mkdir(path.join(dir, "assets"));
  await writeFile(
    path.join(dir, "index.html"),
    '<!doctype html><title>Vigil</title><script type="module" src="/ui/assets/app-1a2b.js"></script>',
  );
  await writeFile(path.join(dir, "assets", "app-1a2b.js"), "export {};\n");
  return dir;
}

const test = dbTest.extend<{ built: TestApi; unbuilt: TestApi }>({
  built: [
    async ({ dbHandle }, use) => {
      const api = await startTestApi(dbHandle, {
        dashboardDir: await fakeBuild(),
      });
      await use(api);
      await api.server.close({ graceMs: 1000 });
    },
    { scope: "file" },
  ],
  unbuilt: [
    async ({ dbHandle }, use) => {
      const api = await startTestApi(dbHandle, {
        dashboardDir: path.join(os.tmpdir(), "vigil-ui-never-built"),
      });
      await use(api);
      await api.server.close({ graceMs: 1000 });
    },
    { scope: "file" },
  ],
});

describe("the dashboard at /ui", () => {
  test("index.html answers /ui, /ui/ and every page path below it, never cached", async ({
    built,
  }) => {
    for (const p of [
      "/ui",
      "/ui/",
      "/ui/projects/demo-orders",
      "/ui/executions/7",
    ]) {
      const res = await built.call("GET", p, { token: null });
      expect(res.status, p).toBe(200);
      expect(res.headers.get("content-type"), p).toMatch(/^text\/html/);
      expect(res.text, p).toContain("/ui/assets/app-1a2b.js");
      expect(res.headers.get("cache-control"), p).toBe("no-cache");
      expect(res.headers.get("content-security-policy"), p).toContain(
        "script-src 'self'",
      );
    }
  });

  test("hashed assets are served for good; a missing one is a JSON 404, not the page", async ({
    built,
  }) => {
    const asset = await built.call("GET", "/ui/assets/app-1a2b.js", {
      token: null,
    });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    const missing = await built.call("GET", "/ui/assets/gone-0000.js", {
      token: null,
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("route_not_found");
  });

  test("a browser asking for / is sent to /ui/; a JSON client keeps the 404", async ({
    built,
  }) => {
    const browser = await fetch(`${built.url}/`, {
      headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
      redirect: "manual",
    });
    expect(browser.status).toBe(302);
    expect(browser.headers.get("location")).toBe("/ui/");
    const client = await built.call("GET", "/", {
      token: null,
      headers: { accept: "application/json" },
    });
    expect(client.status).toBe(404);
    expect(client.json.error.code).toBe("route_not_found");
  });

  test("writes to /ui are not pages", async ({ built }) => {
    const res = await built.call("POST", "/ui/projects", { token: null });
    expect(res.status).toBe(404);
  });

  test("without a build, /ui says how to make one instead of failing", async ({
    unbuilt,
  }) => {
    const res = await unbuilt.call("GET", "/ui/projects", { token: null });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.text).toContain("The dashboard is not built");
    expect(res.text).toContain("npm run build");
  });
});
