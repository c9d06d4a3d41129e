import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { Logger } from "@vigil/logger";
import { coerceError } from "@vigil/logger";

/** One readiness condition: resolves with a reason when not ready, undefined when it holds. */
export type ReadinessCheck = () =>
  Promise<string | undefined> | string | undefined;

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Named conditions of /ready, all checked on every request (database, loops, ...). */
  readiness: Readonly<Record<string, ReadinessCheck>>;
  /** The Prometheus text of this process (prom-client's `registry.metrics()`). */
  metrics: () => Promise<string>;
  /** Version shown by /health. */
  version: string;
}

export interface OpsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** What prom-client's registries answer; the exposition format Prometheus scrapes. */
const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The small HTTP server of an app that has no API of its own: /health (the process is up),
 * /ready (200, or 503 with the first failed condition as `reason`) and /metrics. Plain
 * node:http: three routes need no framework, and a worker app stays free of express.
 */
export async function startOpsServer(o: OpsServerOptions): Promise<OpsServer> {
  const startedAt = Date.now();
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ready = async () => {
    const checks: Record<string, string> = {};
    let reason: string | undefined;
    for (const [name, check] of Object.entries(o.readiness)) {
      let problem: string | undefined;
      try {
        problem = await check();
      } catch (raw) {
        problem = coerceError(raw).message;
      }
      checks[name] = problem ?? "ok";
      reason ??= problem === undefined ? undefined : `${name}: ${problem}`;
    }
    return { reason, checks };
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, { error: { code: "method_not_allowed" } });
      return;
    }
    if (path === "/health") {
      send(res, 200, {
        status: "healthy",
        version: o.version,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
      });
    } else if (path === "/ready") {
      void ready().then(({ reason, checks }) =>
        reason === undefined
          ? send(res, 200, { status: "ready", checks })
          : send(res, 503, { status: "not_ready", reason, checks }),
      );
    } else if (path === "/metrics") {
      o.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE });
          res.end(text);
        },
        (raw: unknown) => {
          o.logger.warn({ err: coerceError(raw) }, "metrics scrape failed");
          send(res, 500, { error: { code: "metrics_failed" } });
        },
      );
    } else {
      send(res, 404, { error: { code: "not_found" } });
    }
  });
  // a scraper's kept-alive connection must not hold up shutdown
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = o.host === "0.0.0.0" || o.host === "::" ? "127.0.0.1" : o.host;
  const url = `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
  o.logger.info(
    { host: o.host, port, url },
    "serving /health, /ready and /metrics",
  );
  return {
    port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
