import { mkdtemp, readFile, rm } from "node:fs/promises";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { type DataSourceInput, DataSourceSchema } from "@vigil/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadRowsToFile } from "../load-rows.js";

const outDir = await mkdtemp(path.join(tmpdir(), "vigil-ds-test-"));
afterAll(() => rm(outDir, { recursive: true, force: true }));

const TOKEN = "tok-7f3a9c1e5b";
const PASSWORD = "pw-correct-horse-battery";
const API_KEY = "key-0d9e8f7a6b";
const ROWS = Array.from({ length: 5 }, (_, i) => ({ id: i + 1 }));

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res
    .writeHead(status, { "content-type": "application/json", ...headers })
    .end(JSON.stringify(body));
};

/** Per-path request counters, for the flaky endpoints. */
const hits = new Map<string, number>();

const routes: Record<
  string,
  (q: URLSearchParams, req: IncomingMessage, res: ServerResponse) => void
> = {
  "/page": (q, _req, res) => {
    const page = Number(q.get("page"));
    const size = Number(q.get("size"));
    json(res, 200, ROWS.slice((page - 1) * size, page * size));
  },
  "/offset": (q, _req, res) => {
    const offset = Number(q.get("offset"));
    // The server caps the page at 2 rows whatever limit asks: paging must not stop early.
    json(res, 200, {
      data: {
        items: ROWS.slice(offset, offset + Math.min(2, Number(q.get("limit")))),
      },
    });
  },
  "/cursor": (q, _req, res) => {
    const at = Number(q.get("after") ?? 0);
    const next = at + 2 < ROWS.length ? String(at + 2) : null;
    json(res, 200, { items: ROWS.slice(at, at + 2), meta: { next } });
  },
  "/endless": (q, _req, res) =>
    json(res, 200, {
      items: [{ id: 1 }],
      next: String(Number(q.get("c") ?? 0) + 1),
    }),
  "/link": (q, _req, res) => {
    const page = Number(q.get("p") ?? 1);
    const link: Record<string, string> =
      page < 3
        ? { link: `</link?p=${page + 1}>; rel="next", </link?p=3>; rel="last"` }
        : {};
    json(res, 200, ROWS.slice((page - 1) * 2, page * 2), link);
  },
  "/foreign-link": (_q, _req, res) =>
    json(res, 200, [{ id: 1 }], {
      link: '<http://example.com/steal>; rel="next"',
    }),
  "/bearer": (_q, req, res) =>
    req.headers.authorization === `Bearer ${TOKEN}`
      ? json(res, 200, ROWS)
      : json(res, 401, { error: `bad token ${req.headers.authorization}` }),
  "/basic": (_q, req, res) => {
    const expected = `Basic ${Buffer.from(`reader:${PASSWORD}`).toString("base64")}`;
    return req.headers.authorization === expected
      ? json(res, 200, ROWS)
      : json(res, 401, {});
  },
  "/key-custom": (_q, req, res) =>
    req.headers["x-token"] === API_KEY
      ? json(res, 200, ROWS)
      : json(res, 401, {}),
  "/key-header": (_q, req, res) =>
    req.headers["x-api-key"] === API_KEY
      ? json(res, 200, ROWS)
      : json(res, 401, {}),
  "/key-query": (q, _req, res) =>
    q.get("api_key") === API_KEY
      ? json(res, 200, ROWS)
      : json(res, 403, { error: `bad key ${q.get("api_key")}` }),
  "/echo-401": (q, req, res) =>
    json(res, 401, {
      error: `denied ${req.headers.authorization} ${q.get("api_key")}`,
    }),
  "/window": (q, _req, res) =>
    json(res, 200, [
      { from: q.get("from"), to: q.get("to"), fixed: q.get("fixed") },
    ]),
  "/post": (_q, req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () =>
      json(res, 200, [
        {
          method: req.method,
          type: req.headers["content-type"],
          body: JSON.parse(Buffer.concat(chunks).toString()) as unknown,
        },
      ]),
    );
  },
  "/rate-limited": (_q, _req, res) => {
    const n = (hits.get("/rate-limited") ?? 0) + 1;
    hits.set("/rate-limited", n);
    return n === 1
      ? json(res, 429, {}, { "retry-after": "1" })
      : json(res, 200, ROWS);
  },
  "/flaky": (_q, _req, res) => {
    const n = (hits.get("/flaky") ?? 0) + 1;
    hits.set("/flaky", n);
    return n === 1 ? json(res, 500, { error: "boom" }) : json(res, 200, ROWS);
  },
  "/down": (_q, _req, res) => {
    hits.set("/down", (hits.get("/down") ?? 0) + 1);
    json(res, 503, { error: "down" }, { "retry-after": "0" });
  },
  "/object": (_q, _req, res) => json(res, 200, { data: { items: "nope" } }),
  "/scalars": (_q, _req, res) => json(res, 200, [1, 2]),
  "/html": (_q, _req, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end("<html>"),
  "/huge": (_q, _req, res) =>
    json(
      res,
      200,
      Array.from({ length: 5000 }, (_, i) => ({ id: i, pad: "x".repeat(100) })),
    ),
  "/redirect": (_q, _req, res) =>
    res.writeHead(301, { location: "/page" }).end(),
  "/slow": () => undefined,
};

let server: Server;
let base: string;
let n = 0;
const outFile = () => path.join(outDir, `${++n}.ndjson`);
const window = {
  start: new Date("2026-11-22T10:00:00Z"),
  end: new Date("2026-11-22T11:00:00Z"),
};
const secrets: Record<string, string> = {
  VIGIL_SECRET_TOKEN: TOKEN,
  VIGIL_SECRET_USER: "reader",
  VIGIL_SECRET_PASSWORD: PASSWORD,
  VIGIL_SECRET_API_KEY: API_KEY,
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const route = routes[url.pathname];
    return route ? route(url.searchParams, req, res) : json(res, 404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function load(
  input: Partial<Extract<DataSourceInput, { type: "http" }>> & { path: string },
  extra: {
    allowPrivateNetworks?: boolean;
    signal?: AbortSignal;
    maxRowBytes?: number;
    maxBytes?: number;
  } = {},
) {
  const { path: urlPath, ...rest } = input;
  const source = DataSourceSchema.parse({
    type: "http",
    url: `${base}${urlPath}`,
    allow_private_network: true,
    ...rest,
  });
  const file = outFile();
  const result = await loadRowsToFile({
    source,
    window,
    secrets: (name) => secrets[name],
    outFile: file,
    projectId: "p1",
    loadLatestDataset: () => Promise.resolve(null),
    allowPrivateNetworks: extra.allowPrivateNetworks ?? true,
    signal: extra.signal,
    ...(extra.maxRowBytes === undefined
      ? {}
      : { maxRowBytes: extra.maxRowBytes }),
    ...(extra.maxBytes === undefined ? {} : { maxBytes: extra.maxBytes }),
  });
  const rows = result.ok
    ? (await readFile(file, "utf8"))
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown)
    : null;
  return { result, rows };
}

describe("http data source", () => {
  it("pages by page number until an empty page", async () => {
    const { result, rows } = await load({
      path: "/page",
      pagination: { type: "page", param: "page", size_param: "size", size: 2 },
    });
    expect(result).toMatchObject({ ok: true, rowCount: 5 });
    expect(rows).toEqual(ROWS);
  });

  it("pages by offset with items_path, advancing by the rows received when the server caps the page size", async () => {
    const { result, rows } = await load({
      path: "/offset",
      items_path: "data.items",
      pagination: {
        type: "offset",
        param: "offset",
        limit_param: "limit",
        limit: 10,
      },
    });
    expect(result).toMatchObject({ ok: true, rowCount: 5 });
    expect(rows).toEqual(ROWS);
  });

  it("pages by cursor until the cursor is null", async () => {
    const { result, rows } = await load({
      path: "/cursor",
      items_path: "items",
      pagination: { type: "cursor", param: "after", cursor_path: "meta.next" },
    });
    expect(result).toMatchObject({ ok: true, rowCount: 5 });
    expect(rows).toEqual(ROWS);
  });

  it("follows Link rel=next headers on the same origin", async () => {
    const { result, rows } = await load({
      path: "/link",
      pagination: { type: "link" },
    });
    expect(result).toMatchObject({ ok: true, rowCount: 5 });
    expect(rows).toEqual(ROWS);
  });

  it("refuses a next link to another origin instead of sending credentials there", async () => {
    const { result } = await load({
      path: "/foreign-link",
      pagination: { type: "link" },
      auth: { type: "bearer", token_env: "VIGIL_SECRET_TOKEN" },
    });
    expect(result).toMatchObject({
      ok: false,
      code: "bad_response",
      message: expect.stringMatching(
        /another origin \(example\.com\)/,
      ) as unknown,
    });
  });

  it("stops with too_many_rows when max_pages pages were read and the source has more", async () => {
    const { result } = await load({
      path: "/endless",
      items_path: "items",
      max_pages: 3,
      pagination: { type: "cursor", param: "c", cursor_path: "next" },
    });
    expect(result).toMatchObject({
      ok: false,
      code: "too_many_rows",
      message: expect.stringMatching(/max_pages=3/) as unknown,
    });
  });

  it("sends bearer, basic and API-key (header and query) credentials from secrets", async () => {
    await expect(
      load({
        path: "/bearer",
        auth: { type: "bearer", token_env: "VIGIL_SECRET_TOKEN" },
      }),
    ).resolves.toMatchObject({ result: { ok: true, rowCount: 5 } });
    await expect(
      load({
        path: "/basic",
        auth: {
          type: "basic",
          username_env: "VIGIL_SECRET_USER",
          password_env: "VIGIL_SECRET_PASSWORD",
        },
      }),
    ).resolves.toMatchObject({ result: { ok: true } });
    await expect(
      load({
        path: "/key-header",
        auth: { type: "api_key", value_env: "VIGIL_SECRET_API_KEY" },
      }),
    ).resolves.toMatchObject({ result: { ok: true } });
    await expect(
      load({
        path: "/key-custom",
        auth: {
          type: "api_key",
          value_env: "VIGIL_SECRET_API_KEY",
          header: "X-Token",
        },
      }),
    ).resolves.toMatchObject({ result: { ok: true } });
    await expect(
      load({
        path: "/key-query",
        auth: {
          type: "api_key",
          value_env: "VIGIL_SECRET_API_KEY",
          query: "api_key",
        },
      }),
    ).resolves.toMatchObject({ result: { ok: true } });
  });

  it("never puts a credential in an error, even when the server echoes it back", async () => {
    for (const auth of [
      { type: "bearer", token_env: "VIGIL_SECRET_TOKEN" },
      { type: "api_key", value_env: "VIGIL_SECRET_API_KEY", query: "api_key" },
    ] as const) {
      const { result } = await load({ path: "/echo-401", auth });
      expect(result).toMatchObject({
        ok: false,
        code: "http_status",
        message: expect.stringMatching(/answered 401/) as unknown,
      });
      expect(JSON.stringify(result)).not.toMatch(
        new RegExp(`${TOKEN}|${API_KEY}`),
      );
    }
  });

  it("reports a missing secret by its name", async () => {
    const { result } = await load({
      path: "/bearer",
      auth: { type: "bearer", token_env: "VIGIL_SECRET_NOT_SET" },
    });
    expect(result).toEqual({
      ok: false,
      code: "secret_missing",
      message:
        "the secret VIGIL_SECRET_NOT_SET is not available on the executor",
    });
  });

  it("fills {start} and {end} in query values with the ISO window", async () => {
    const { rows } = await load({
      path: "/window?from={start}&to={end}&fixed=a%20b",
    });
    expect(rows).toEqual([
      {
        from: "2026-11-22T10:00:00.000Z",
        to: "2026-11-22T11:00:00.000Z",
        fixed: "a b",
      },
    ]);
  });

  it("POSTs a JSON body", async () => {
    const { rows } = await load({
      path: "/post",
      method: "POST",
      body: { q: 1 },
    });
    expect(rows).toEqual([
      { method: "POST", type: "application/json", body: { q: 1 } },
    ]);
  });

  it("waits out a 429 with Retry-After, then succeeds", async () => {
    const started = Date.now();
    const { result } = await load({ path: "/rate-limited" });
    expect(result).toMatchObject({ ok: true, rowCount: 5 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("retries a 500 and succeeds on the next attempt", async () => {
    await expect(load({ path: "/flaky" })).resolves.toMatchObject({
      result: { ok: true, rowCount: 5 },
    });
  });

  it("gives up on a server that keeps failing after three retries", async () => {
    const { result } = await load({ path: "/down" });
    expect(result).toMatchObject({
      ok: false,
      code: "http_status",
      message: expect.stringMatching(
        /answered 503 after 4 attempts/,
      ) as unknown,
    });
    expect(hits.get("/down")).toBe(4);
  });

  it("explains a body that is not an array of row objects", async () => {
    await expect(
      load({ path: "/object", items_path: "data.items" }),
    ).resolves.toMatchObject({
      result: {
        ok: false,
        code: "bad_response",
        message:
          'page 1: items_path "data.items" is a string, expected an array of rows',
      },
    });
    await expect(load({ path: "/object" })).resolves.toMatchObject({
      result: {
        code: "bad_response",
        message: expect.stringMatching(/set items_path/) as unknown,
      },
    });
    await expect(load({ path: "/scalars" })).resolves.toMatchObject({
      result: {
        code: "bad_response",
        message: expect.stringMatching(/item 0 is a number/) as unknown,
      },
    });
    await expect(load({ path: "/html" })).resolves.toMatchObject({
      result: {
        code: "bad_response",
        message: expect.stringMatching(
          /not JSON \(content-type text\/html\)/,
        ) as unknown,
      },
    });
  });

  it("caps the response size and the row count", async () => {
    await expect(
      load({ path: "/huge", max_response_bytes: 100_000 }),
    ).resolves.toMatchObject({
      result: {
        ok: false,
        code: "bad_response",
        message: expect.stringMatching(/max_response_bytes/) as unknown,
      },
    });
    await expect(
      load({ path: "/huge", max_rows: 4999 }),
    ).resolves.toMatchObject({ result: { ok: false, code: "too_many_rows" } });
  });

  it("caps the bytes of the whole load (DATASOURCE_MAX_BYTES) and of each row (DATASOURCE_MAX_ROW_BYTES)", async () => {
    // /huge is ~650 KB: under its max_response_bytes, over a 256 KiB run budget
    await expect(
      load({ path: "/huge" }, { maxBytes: 256 * 1024 }),
    ).resolves.toMatchObject({
      result: {
        ok: false,
        code: "too_many_bytes",
        message: expect.stringMatching(
          /\(DATASOURCE_MAX_BYTES, over all pages\)$/,
        ) as unknown,
      },
    });
    await expect(
      load({ path: "/huge" }, { maxRowBytes: 100 }),
    ).resolves.toMatchObject({
      result: {
        ok: false,
        code: "too_many_bytes",
        message: expect.stringMatching(
          /^row 1 is 1\d\d B, over the 100 B row limit \(DATASOURCE_MAX_ROW_BYTES\)/,
        ) as unknown,
      },
    });
  });

  it("does not follow a redirect", async () => {
    const { result } = await load({ path: "/redirect" });
    expect(result).toMatchObject({
      ok: false,
      code: "http_status",
      message: expect.stringMatching(
        /answered 301 \(redirects are not followed/,
      ) as unknown,
    });
  });

  it("times out after timeout_seconds for the whole load", async () => {
    const started = Date.now();
    const { result } = await load({ path: "/slow", timeout_seconds: 1 });
    expect(result).toMatchObject({ ok: false, code: "timeout" });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("refuses a loopback source unless both the operator and the source allow private networks", async () => {
    await expect(
      load({ path: "/page" }, { allowPrivateNetworks: false }),
    ).resolves.toMatchObject({
      result: {
        ok: false,
        code: "connect",
        message: expect.stringMatching(
          /private networks are not allowed/,
        ) as unknown,
      },
    });
    await expect(
      load({ path: "/page", allow_private_network: false }),
    ).resolves.toMatchObject({ result: { ok: false, code: "connect" } });
  });

  it("stops as cancelled when the signal aborts", async () => {
    const controller = new AbortController();
    const pending = load({ path: "/slow" }, { signal: controller.signal });
    controller.abort();
    await expect(pending).resolves.toMatchObject({
      result: { ok: false, code: "cancelled" },
    });
  });
});
