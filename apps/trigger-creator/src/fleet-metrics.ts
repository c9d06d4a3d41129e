import {
  countOpenWatchdogEpisodes,
  getLastMaintenanceRun,
  getQueueDepth,
  readDatabaseHealth,
  readFleetSnapshot,
  type DatabaseHealth,
  type Db,
  type FleetSnapshot,
  type MaintenanceRunRow,
  type QueueDepth,
} from "@vigil/db";
import { Gauge, Registry } from "prom-client";

/** Workers whose heartbeat is older than this are not alive (5 s heartbeats, 6 missed). */
const STALE_WORKER_SECONDS = 30;
/** Several scrapers within this time share one round of queries. */
const SNAPSHOT_TTL_MS = 1000;

interface Snapshot {
  fleet: FleetSnapshot;
  queue: QueueDepth;
  lastCleanup: MaintenanceRunRow | undefined;
  watchdog: Array<{ reason: string; count: number }>;
  database: DatabaseHealth;
}

/**
 * The database-wide gauges: the state of the whole installation, read from PostgreSQL at
 * scrape time. Only the leading trigger-creator serves them (see main.ts), so there is one
 * copy of each however many replicas of any app run, and a new leader takes them over.
 */
export function createFleetMetrics(db: Db): Registry {
  const registry = new Registry();
  let cached: { at: number; value: Promise<Snapshot> } | undefined;
  const load = () => {
    if (cached === undefined || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
      const value = Promise.all([
        readFleetSnapshot(db, { staleWorkerSeconds: STALE_WORKER_SECONDS }),
        getQueueDepth(db),
        getLastMaintenanceRun(db),
        countOpenWatchdogEpisodes(db),
        readDatabaseHealth(db),
      ]).then(([fleet, queue, lastCleanup, watchdog, database]) => ({
        fleet,
        queue,
        lastCleanup,
        watchdog,
        database,
      }));
      // a failed scrape must not be served from the cache to the next one
      value.catch(() => (cached = undefined));
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };

  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: Gauge<L>, s: Snapshot) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await load();
        // series of labels that are gone (a project's last discrepancy resolved) disappear
        this.reset();
        fill(this, s);
      },
    });

  gauge("vigil_queue_depth", "Pending triggers that are due now", [], (g, s) =>
    g.set(s.queue.due),
  );
  gauge("vigil_triggers_pending", "Pending triggers, due or not", [], (g, s) =>
    g.set(s.queue.pending),
  );
  gauge("vigil_triggers_running", "Running triggers", [], (g, s) =>
    g.set(s.queue.running),
  );
  gauge(
    "vigil_oldest_due_lag_seconds",
    "Seconds since the oldest due pending trigger became claimable (0: none due)",
    [],
    (g, s) => g.set(s.queue.oldest_due_lag_seconds),
  );
  gauge(
    "vigil_open_discrepancies",
    "Open discrepancies, by project",
    ["project"],
    (g, s) => {
      for (const d of s.fleet.openDiscrepancies) {
        g.set({ project: d.project_id }, d.count);
      }
    },
  );
  gauge(
    "vigil_live_workers",
    "Workers with a recent heartbeat, by app",
    ["app"],
    (g, s) => {
      for (const w of s.fleet.workers) {
        g.set({ app: w.app }, w.count);
      }
    },
  );
  gauge(
    "vigil_report_outbox",
    "Report outbox rows, by status (dead: given up after REPORT_MAX_ATTEMPTS)",
    ["status"],
    (g, s) => {
      for (const r of s.fleet.reports) {
        g.set({ status: r.status }, r.count);
      }
    },
  );
  gauge(
    "vigil_cleaner_last_pass_timestamp_seconds",
    "When the cleaner's most recent pass finished (0: none yet)",
    [],
    (g, s) =>
      g.set(
        s.lastCleanup?.finished_at
          ? s.lastCleanup.finished_at.getTime() / 1000
          : 0,
      ),
  );
  gauge(
    "vigil_cleaner_last_pass_duration_seconds",
    "How long the cleaner's most recent pass took",
    [],
    (g, s) => g.set((s.lastCleanup?.duration_ms ?? 0) / 1000),
  );
  gauge(
    "vigil_watchdog_open_episodes",
    "Open watchdog episodes (silent schedules), by reason",
    ["reason"],
    (g, s) => {
      for (const w of s.watchdog) {
        g.set({ reason: w.reason }, w.count);
      }
    },
  );
  const perTable = (
    name: string,
    help: string,
    value: (t: DatabaseHealth["tables"][number]) => number | null,
  ) =>
    gauge(name, help, ["table"], (g, s) => {
      for (const t of s.database.tables) {
        const v = value(t);
        if (v !== null) {
          g.set({ table: t.table }, v);
        }
      }
    });
  perTable(
    "vigil_db_table_bytes",
    "Size of a Vigil table with its indexes and TOAST (pg_total_relation_size), by table",
    (t) => t.total_bytes,
  );
  perTable(
    "vigil_db_index_bytes",
    "Size of a Vigil table's indexes (pg_indexes_size), by table",
    (t) => t.index_bytes,
  );
  perTable(
    "vigil_db_dead_tuples",
    "Dead rows vacuum has not reclaimed yet (pg_stat_user_tables.n_dead_tup), by table",
    (t) => t.dead_tuples,
  );
  perTable(
    "vigil_db_last_autovacuum_age_seconds",
    "Seconds since autovacuum last processed a Vigil table, by table (no series: never)",
    (t) => t.last_autovacuum_age_seconds,
  );
  gauge(
    "vigil_db_oldest_transaction_age_seconds",
    "Seconds the oldest open transaction on Vigil's database has run (0: none); a long one holds back vacuum",
    [],
    (g, s) => g.set(s.database.transactions.oldest_transaction_seconds),
  );
  gauge(
    "vigil_db_replication_lag_seconds",
    "Replay lag of each streaming standby of the primary (pg_stat_replication; 0 once caught up and idle), by replica (its application_name)",
    ["replica"],
    (g, s) => {
      for (const r of s.database.replicas) {
        g.set({ replica: r.name }, r.replay_lag_seconds);
      }
    },
  );
  return registry;
}
