import { z } from "zod";

import type { ApiDeps } from "../deps.js";
import { createMetricsRegistry } from "../metrics.js";
import { defineRoute, type RouteDef } from "./route.js";

/** Prometheus exposition of the fleet's state, computed from the database at scrape time. */
export function metricsRoutes(deps: ApiDeps): RouteDef[] {
  const registry = createMetricsRegistry(deps.db);
  return [
    defineRoute({
      method: "get",
      path: "/metrics",
      tag: "system",
      access: "read",
      summary:
        "Prometheus metrics: executions by status and project, duration histogram, queue depth, oldest-due lag, live workers, report deliveries",
      responses: {
        200: {
          description: "Prometheus text format",
          schema: z.string(),
          contentType: "text/plain",
        },
      },
      handler: async ({ res }) => {
        const text = await registry.metrics();
        res.type(registry.contentType).send(text);
        return { handled: true };
      },
    }),
  ];
}
