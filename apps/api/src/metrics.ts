import {
  getLastMaintenanceRun,
  getQueueDepth,
  readMetricsSnapshot,
  type Db,
  type MaintenanceRunRow,
  type MetricsSnapshot,
  type QueueDepth,
} from "@vigil/db";
import { Registry, collectDefaultMetrics, type Metric } from "prom-client";

/** Executions of this window count in vigil_executions and the duration histogram. */
export const METRICS_WINDOW_SECONDS = 24 * 3600;
/** Duration histogram bounds, milliseconds: 100 ms to 30 min. */
export const DURATION_BUCKETS_MS = [
  100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 1_800_000,
] as const;
/** Several scrapers within this time share one set of queries. */
const SNAPSHOT_TTL_MS = 1000;

interface Snapshot {
  metrics: MetricsSnapshot;
  queue: QueueDepth;
  lastCleanup: MaintenanceRunRow | undefined;
}

type Sample = {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
};

/**
 * A metric computed at scrape time from the database: prom-client calls `get()` on each
 * metric of a scrape, and all of them read one shared snapshot, so a scrape costs one
 * round of cheap queries (queue/depth.ts, status/metrics.ts) whatever the number of metrics.
 */
function dbMetric(
  name: string,
  help: string,
  type: "gauge" | "histogram",
  read: (s: Snapshot) => Sample[],
  load: () => Promise<Snapshot>,
): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: "sum",
    get: async () => ({
      name,
      help,
      type,
      aggregator: "sum",
      values: read(await load()),
    }),
    reset: () => undefined,
  };
  return metric as unknown as Metric;
}

function durationSamples(s: Snapshot): Sample[] {
  const d = s.metrics.duration;
  const name = "vigil_execution_duration_seconds";
  const buckets = d.bucketsMs.map((b, i) => ({
    metricName: `${name}_bucket`,
    labels: { le: b / 1000 },
    value: d.cumulative[i] ?? 0,
  }));
  return [
    ...buckets,
    { metricName: `${name}_bucket`, labels: { le: "+Inf" }, value: d.count },
    { metricName: `${name}_sum`, labels: {}, value: d.sumMs / 1000 },
    { metricName: `${name}_count`, labels: {}, value: d.count },
  ];
}

/** The API's Prometheus registry: process metrics plus Vigil's, read from PostgreSQL. */
export function createMetricsRegistry(db: Db): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "vigil_api_" });
  let cached: { at: number; value: Promise<Snapshot> } | undefined;
  const load = () => {
    if (cached === undefined || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
      const value = Promise.all([
        readMetricsSnapshot(db, {
          windowSeconds: METRICS_WINDOW_SECONDS,
          bucketsMs: DURATION_BUCKETS_MS,
          staleWorkerSeconds: 30,
        }),
        getQueueDepth(db),
        getLastMaintenanceRun(db),
      ]).then(([metrics, queue, lastCleanup]) => ({
        metrics,
        queue,
        lastCleanup,
      }));
      // a failed scrape must not be served from the cache to the next one
      value.catch(() => (cached = undefined));
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };
  const metrics = [
    dbMetric(
      "vigil_executions",
      "Executions created in the last 24 hours, by project and status",
      "gauge",
      (s) =>
        s.metrics.executions.map((e) => ({
          labels: { project: e.project_id, status: e.status },
          value: e.count,
        })),
      load,
    ),
    dbMetric(
      "vigil_execution_duration_seconds",
      "Duration of executions finished in the last 24 hours",
      "histogram",
      durationSamples,
      load,
    ),
    dbMetric(
      "vigil_queue_depth",
      "Pending triggers that are due now",
      "gauge",
      (s) => [{ labels: {}, value: s.queue.due }],
      load,
    ),
    dbMetric(
      "vigil_triggers_pending",
      "Pending triggers, due or not",
      "gauge",
      (s) => [{ labels: {}, value: s.queue.pending }],
      load,
    ),
    dbMetric(
      "vigil_triggers_running",
      "Running triggers",
      "gauge",
      (s) => [{ labels: {}, value: s.queue.running }],
      load,
    ),
    dbMetric(
      "vigil_oldest_due_lag_seconds",
      "Seconds since the oldest due pending trigger became claimable",
      "gauge",
      (s) => [{ labels: {}, value: s.queue.oldest_due_lag_seconds }],
      load,
    ),
    dbMetric(
      "vigil_live_workers",
      "Workers with a recent heartbeat, by app",
      "gauge",
      (s) =>
        s.metrics.workers.map((w) => ({
          labels: { app: w.app },
          value: w.count,
        })),
      load,
    ),
    dbMetric(
      "vigil_cleaner_last_pass_timestamp_seconds",
      "When the cleaner's most recent pass finished (0: none yet)",
      "gauge",
      (s) => [
        {
          labels: {},
          value: s.lastCleanup?.finished_at
            ? s.lastCleanup.finished_at.getTime() / 1000
            : 0,
        },
      ],
      load,
    ),
    dbMetric(
      "vigil_cleaner_last_pass_duration_seconds",
      "How long the cleaner's most recent pass took",
      "gauge",
      (s) => [{ labels: {}, value: (s.lastCleanup?.duration_ms ?? 0) / 1000 }],
      load,
    ),
    dbMetric(
      "vigil_cleaner_last_pass_pruned_rows",
      "Rows the cleaner's most recent pass pruned, by table",
      "gauge",
      (s) =>
        Object.entries(s.lastCleanup?.pruned ?? {})
          .filter((e): e is [string, number] => typeof e[1] === "number")
          .map(([table, value]) => ({ labels: { table }, value })),
      load,
    ),
    dbMetric(
      "vigil_report_deliveries",
      "Report outbox rows by status",
      "gauge",
      (s) =>
        s.metrics.reports.map((r) => ({
          labels: { status: r.status },
          value: r.count,
        })),
      load,
    ),
  ];
  for (const metric of metrics) {
    registry.registerMetric(metric);
  }
  return registry;
}
