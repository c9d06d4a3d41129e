import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { safeRequest } from "./safe-request.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const routes: Record<string, Handler> = {
  "/hello": (_req, res) => {
    res.setHeader("x-thing", "1");
    res.end("hello");
  },
  "/echo": (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () =>
      res.end(
        JSON.stringify({
          method: req.method,
          auth: req.headers.authorization,
          body: Buffer.concat(chunks).toString(),
        }),
      ),
    );
  },
  "/redirect": (_req, res) => {
    res.writeHead(302, { location: "/hello" });
    res.end();
  },
  // 1 MB, chunked (no content-length), so the cap has to stop the stream itself.
  "/big-chunked": (_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, "a");
    for (let i = 0; i < 16; i++) {
      res.write(chunk);
    }
    res.end();
  },
  "/big-declared": (_req, res) => {
    res.setHeader("content-length", String(10 * 1024 * 1024));
    res.write("a");
  },
  "/hang": () => {
    // Never answers: the request's own timeout has to end it.
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? "/", "http://x").pathname];
    if (route) {
      route(req, res);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const lax = {
  timeoutMs: 5000,
  maxResponseBytes: 1024 * 1024,
  allowPrivateNetworks: true,
};

describe("safeRequest", () => {
  it("returns status, lower-case headers, body and latency from a local server when private networks are allowed", async () => {
    const res = await safeRequest({ ...lax, url: `${base}/hello` });
    expect(res).toMatchObject({ ok: true, status: 200, bodyText: "hello" });
    expect(res.ok && res.headers["x-thing"]).toBe("1");
    expect(res.ok && res.bytes.length).toBe(5);
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("reaches a server by host name through the pinned, checked addresses", async () => {
    const res = await safeRequest({
      ...lax,
      url: base.replace("127.0.0.1", "localhost") + "/hello",
    });
    expect(res).toMatchObject({ ok: true, status: 200, bodyText: "hello" });
  });

  it("sends the method, headers and body of a POST", async () => {
    const res = await safeRequest({
      ...lax,
      url: `${base}/echo`,
      method: "POST",
      headers: { authorization: "Bearer t" },
      body: '{"a":1}',
    });
    expect(res.ok && JSON.parse(res.bodyText)).toEqual({
      method: "POST",
      auth: "Bearer t",
      body: '{"a":1}',
    });
  });

  it("refuses the same local server without allowPrivateNetworks and never connects", async () => {
    for (const url of [
      `${base}/hello`,
      "http://localhost/",
      "http://127.1/",
      "http://[::1]/",
      "http://0x7f.1/",
      "http://169.254.169.254/",
    ]) {
      const res = await safeRequest({
        ...lax,
        allowPrivateNetworks: false,
        url,
      });
      expect(res).toMatchObject({ ok: false, kind: "refused" });
    }
  });

  it("returns a redirect as is instead of following it", async () => {
    const res = await safeRequest({ ...lax, url: `${base}/redirect` });
    expect(res).toMatchObject({ ok: true, status: 302, bodyText: "" });
    expect(res.ok && res.headers.location).toBe("/hello");
  });

  it("aborts a chunked body past the byte cap", async () => {
    const res = await safeRequest({
      ...lax,
      url: `${base}/big-chunked`,
      maxResponseBytes: 100_000,
    });
    expect(res).toMatchObject({ ok: false, kind: "too_large" });
  });

  it("refuses a body whose content-length is over the cap without reading it", async () => {
    const res = await safeRequest({ ...lax, url: `${base}/big-declared` });
    expect(res).toMatchObject({
      ok: false,
      kind: "too_large",
      message: /declares 10485760 bytes/,
    });
  });

  it("gives up on a server that never answers after timeoutMs", async () => {
    const started = Date.now();
    const res = await safeRequest({
      ...lax,
      url: `${base}/hang`,
      timeoutMs: 300,
    });
    expect(res).toMatchObject({ ok: false, kind: "timeout" });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("stops when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const pending = safeRequest({
      ...lax,
      url: `${base}/hang`,
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).resolves.toMatchObject({
      ok: false,
      kind: "aborted",
    });
  });

  it("returns aborted at once for a signal that is already aborted", async () => {
    const res = await safeRequest({
      ...lax,
      url: `${base}/hello`,
      signal: AbortSignal.abort(),
    });
    expect(res).toMatchObject({ ok: false, kind: "aborted" });
  });

  it("reports a refused connection as a network error that names the host but not the path or query", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) =>
      closed.listen(0, "127.0.0.1", resolve),
    );
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const res = await safeRequest({
      ...lax,
      url: `http://127.0.0.1:${port}/secret-path?key=hunter2`,
    });
    expect(res).toMatchObject({
      ok: false,
      kind: "network",
      message: /ECONNREFUSED/,
    });
    expect(JSON.stringify(res)).not.toMatch(/hunter2|secret-path/);
  });
});
