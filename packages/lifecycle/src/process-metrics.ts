import { collectDefaultMetrics, type Registry } from "prom-client";

/**
 * prom-client's default gauges that end in `_total`, which promtool rejects (only counters
 * may): each has a twin without the suffix, by type, whose sum is the same figure.
 */
const GAUGES_NAMED_TOTAL = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** prom-client's per-process metrics (CPU, memory, event loop, GC) under `prefix`. */
export function collectProcessMetrics(
  registry: Registry,
  prefix: string,
): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of GAUGES_NAMED_TOTAL) {
    registry.removeSingleMetric(`${prefix}${name}`);
  }
}
