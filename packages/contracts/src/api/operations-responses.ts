import { z } from "zod";

import { WatchdogEpisodeSchema } from "../watchdog.js";
import { Instant, TriggerSource } from "./scalars.js";

/**
 * Response shapes of the operators' routes (health, readiness, status, queue, refresh,
 * cleanup), for the OpenAPI document and for tests that check the server keeps to them.
 */
export const HealthResponseSchema = z
  .object({
    status: z.literal("healthy"),
    version: z.string(),
    uptime_seconds: z.number(),
    time: Instant,
  })
  .meta({ id: "Health" });

export const ReadyResponseSchema = z
  .object({
    status: z.literal("ready"),
    database: z.literal("ok"),
    pending_migrations: z.array(z.string()),
  })
  .meta({ id: "Ready" });

export const QueueDepthSchema = z
  .object({
    due: z.number(),
    pending: z.number(),
    running: z.number(),
    oldest_due_lag_seconds: z.number(),
  })
  .meta({ id: "QueueDepth" });

export const WorkerSchema = z
  .object({
    id: z.string(),
    app: z.string(),
    hostname: z.string(),
    pid: z.number(),
    version: z.string(),
    status: z.string(),
    concurrency: z.number().nullable(),
    running: z.number(),
    started_at: Instant,
    last_heartbeat_at: Instant,
    heartbeat_age_seconds: z.number(),
  })
  .meta({ id: "Worker" });

const PoolFiguresSchema = z.object({
  total: z.number(),
  idle: z.number(),
  waiting: z.number(),
});

export const TableHealthSchema = z
  .object({
    table: z.string(),
    total_bytes: z
      .number()
      .describe("heap, indexes and TOAST (pg_total_relation_size)"),
    index_bytes: z.number().describe("its indexes (pg_indexes_size)"),
    live_tuples: z.number(),
    dead_tuples: z
      .number()
      .describe("rows deleted or updated that vacuum has not reclaimed yet"),
    last_autovacuum: Instant.nullable(),
    last_autoanalyze: Instant.nullable(),
    last_vacuum: Instant.nullable(),
    last_analyze: Instant.nullable(),
  })
  .meta({ id: "TableHealth" });

export const DatabaseHealthSchema = z
  .object({
    tables: z
      .array(TableHealthSchema)
      .describe("every table of Vigil's schema, by name"),
    oldest_transaction: z
      .object({
        age_seconds: z
          .number()
          .describe("0: no transaction open but the one reading this"),
        application_name: z.string().nullable(),
        state: z.string().nullable(),
      })
      .describe(
        "the oldest open transaction on the database: a long one holds back vacuum",
      ),
    frozen_xid_age: z
      .number()
      .describe(
        "age(datfrozenxid): transactions since the oldest unfrozen xid",
      ),
    replicas: z
      .array(
        z.object({
          name: z.string(),
          client_addr: z.string().nullable(),
          state: z.string(),
          replay_lag_seconds: z.number(),
          replay_lag_bytes: z.number().nullable(),
        }),
      )
      .describe("the primary's streaming standbys (pg_stat_replication)"),
    read_replica: z
      .object({
        in_recovery: z
          .boolean()
          .describe("true: the read connection is on a standby"),
        last_replay_age_seconds: z
          .number()
          .nullable()
          .describe(
            "seconds since the last transaction it replayed committed (null: none yet; grows while the primary is idle too)",
          ),
        pool: PoolFiguresSchema,
      })
      .nullable()
      .describe(
        "the DATABASE_READ_URL connection; null: reads use the primary",
      ),
  })
  .meta({ id: "DatabaseHealth" });

export const StatusResponseSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    time: Instant,
    apps: z.record(
      z.string(),
      z.object({
        workers: z.number(),
        concurrency: z.number(),
        running: z.number(),
      }),
    ),
    workers: z.array(WorkerSchema),
    queue: QueueDepthSchema,
    api_pool: PoolFiguresSchema,
    /** The cleaner's most recent finished pass; null before the first one. */
    last_cleanup: z
      .object({
        worker_id: z.string().nullable(),
        started_at: Instant,
        finished_at: Instant,
        duration_ms: z.number().nullable(),
        pruned: z.record(z.string(), z.number()),
        error: z.string().nullable(),
      })
      .nullable(),
    /** Schedules the watchdog found silent (open episodes), oldest first. */
    watchdog: z.object({
      open_episodes: z.array(WatchdogEpisodeSchema),
    }),
    database: DatabaseHealthSchema,
  })
  .meta({ id: "Status" });

export const QueueItemSchema = z
  .object({
    trigger_id: z.number(),
    project_id: z.string(),
    project_name: z.string(),
    schedule_id: z.number().nullable(),
    next_run: Instant,
    available_at: Instant,
    source: TriggerSource,
    attempt: z.number(),
    cron_expression: z.string().nullable(),
    timezone: z.string().nullable(),
  })
  .meta({ id: "QueueItem" });
export const QueueResponseSchema = z
  .array(QueueItemSchema)
  .meta({ id: "Queue" });

export const RefreshProblemSchema = z.object({
  project_id: z.string(),
  kind: z.enum(["project", "schedule", "rule"]),
  /** The schedule id or rule_id; null for the project's own settings. */
  ref: z.union([z.string(), z.number()]).nullable(),
  message: z.string(),
});
export const RefreshResponseSchema = z
  .object({
    checked: z.object({
      projects: z.number(),
      schedules: z.number(),
      rules: z.number(),
    }),
    problems: z.array(RefreshProblemSchema),
  })
  .meta({ id: "RefreshResult" });

export const CleanupResponseSchema = z
  .object({
    project_id: z.string(),
    deleted: z.object({
      executions: z.number(),
      triggers: z.number(),
      reports: z.number(),
      discrepancies: z.number(),
    }),
  })
  .meta({ id: "CleanupResult" });
