import { dbTest } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";

import {
  createApiServer,
  type ApiServer,
  type ApiServerOptions,
} from "../src/index.js";

export const TOKEN = "test-token-aaaaaaaaaaaaaaaa";
export const OTHER_TOKEN = "test-token-bbbbbbbbbbbbbbbb";

export interface CallOptions {
  body?: unknown;
  /** Sent as is, with no JSON encoding. */
  raw?: string | Buffer;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface TestApi {
  server: ApiServer;
  url: string;
  call(method: string, path: string, o?: CallOptions): Promise<CallResult>;
}

/** A real API server on 127.0.0.1 and a random port, against the test file's database. */
export async function startTestApi(
  handle: { db: ApiServerOptions["db"]; pool: ApiServerOptions["pool"] },
  overrides: Partial<ApiServerOptions> = {},
): Promise<TestApi> {
  const server = createApiServer({
    db: handle.db,
    pool: handle.pool,
    logger: createLogger({ level: "silent", name: "api-test" }),
    version: "0.0.0-test",
    tokens: [TOKEN, OTHER_TOKEN],
    ...overrides,
  });
  const { url } = await server.listen({ port: 0, host: "127.0.0.1" });
  const call = async (
    method: string,
    path: string,
    o: CallOptions = {},
  ): Promise<CallResult> => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? TOKEN : o.token;
    if (token !== null) {
      headers.authorization ??= `Bearer ${token}`;
    }
    let body: string | Buffer | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(url + path, {
      method,
      headers,
      ...(body !== undefined && { body }),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return { server, url, call };
}

/** dbTest plus a file-scoped API server on the file's database. */
export const apiTest = dbTest.extend<{ api: TestApi }>({
  api: [
    async ({ dbHandle }, use) => {
      const api = await startTestApi(dbHandle);
      await use(api);
      await api.server.close({ graceMs: 1000 });
    },
    { scope: "file" },
  ],
});

/** A minimal valid project body for POST /projects. */
export function projectBody(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `Project ${id}`,
    config: { data_source: { type: "manual" } },
    schedules: [{ cron_expression: "0 * * * *", timezone: "Europe/Berlin" }],
    rules: [
      {
        rule_id: "no-negative",
        code: "export function detect(rows) { return rows.filter((r) => r.amount < 0).map((r) => ({ key: String(r.id), message: 'negative' })); }",
      },
    ],
    ...extra,
  };
}
