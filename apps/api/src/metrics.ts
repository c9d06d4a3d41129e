import type { RequestHandler } from "express";
import { Counter, Histogram, Registry } from "prom-client";

import { collectProcessMetrics } from "@vigil/lifecycle";

/**
 * The API's metrics: its own requests and process figures only. Nothing is recounted from
 * the database at scrape time (pruned history would make counters go down, and every API
 * replica would report the same rows); the database-wide gauges come from the leading
 * trigger-creator, the counts of work done from the processes that do it.
 */
export interface ApiMetrics {
  registry: Registry;
  /** Counts and times every request by its route pattern, once it is answered. */
  middleware: RequestHandler;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectProcessMetrics(registry, "vigil_api_");
  const requests = new Counter({
    name: "vigil_http_requests_total",
    help: "HTTP requests this API process answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "vigil_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once("finish", () => {
      // the pattern (/projects/:id), never the raw path: ids must not become label values
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route =
        typeof pattern === "string"
          ? `${req.baseUrl}${pattern}`
          : req.baseUrl.startsWith("/docs")
            ? "/docs"
            : "unmatched";
      const method = req.method;
      requests.inc({ method, route, status: String(res.statusCode) });
      duration.observe({ method, route }, (performance.now() - started) / 1000);
    });
    next();
  };
  return { registry, middleware };
}
