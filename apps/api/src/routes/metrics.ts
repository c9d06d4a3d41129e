import { z } from "zod";

import type { ApiMetrics } from "../metrics.js";
import { defineRoute, type RouteDef } from "./route.js";

/** Prometheus exposition of this API process (requests, process figures). */
export function metricsRoutes({ registry }: ApiMetrics): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/metrics",
      tag: "system",
      // like the other apps' metrics ports: Prometheus scrapes it without a token, and it
      // holds route patterns and process figures, no project data
      access: "public",
      summary:
        "Prometheus metrics of this API process: requests by route and status, their duration, process figures (database-wide gauges: the leading trigger-creator's /metrics)",
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
