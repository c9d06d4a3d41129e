import {
  HealthResponseSchema,
  ReadyResponseSchema,
  StatusResponseSchema,
} from "@vigil/contracts";
import {
  getLastMaintenanceRun,
  getQueueDepth,
  listLiveWorkers,
  listOpenWatchdogEpisodes,
  pendingMigrations,
} from "@vigil/db";
import { sql } from "kysely";

import { createDatabaseHealthReader } from "../database-health.js";
import { STALE_WORKER_SECONDS, type ApiDeps } from "../deps.js";
import { AppError } from "../http/app-error.js";
import { defineRoute, type RouteDef } from "./route.js";

/** Overdue work older than this marks /status "degraded". */
const DEGRADED_LAG_SECONDS = 60;
/** Open watchdog episodes /status lists at most (oldest first). */
const MAX_STATUS_EPISODES = 200;

/** Liveness, readiness and the fleet's status. */
export function systemRoutes(deps: ApiDeps): RouteDef[] {
  const startedAt = Date.now();
  const readDatabaseHealth = createDatabaseHealthReader(deps);
  return [
    defineRoute({
      method: "get",
      path: "/health",
      tag: "system",
      access: "public",
      summary: "The process is up (no database check: use /ready for that)",
      responses: { 200: { description: "Up", schema: HealthResponseSchema } },
      handler: () => ({
        json: {
          status: "healthy",
          version: deps.version,
          uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
          time: new Date().toISOString(),
        },
      }),
    }),
    defineRoute({
      method: "get",
      path: "/ready",
      tag: "system",
      access: "public",
      summary: "The database is reachable and every migration is applied",
      responses: { 200: { description: "Ready", schema: ReadyResponseSchema } },
      handler: async () => {
        let pending: string[];
        try {
          await sql`select 1`.execute(deps.db);
          pending = await pendingMigrations(deps.db, deps.migrationsDir);
        } catch (err) {
          throw new AppError(
            "not_ready",
            "the database is not reachable",
            null,
            { cause: err },
          );
        }
        if (pending.length > 0) {
          throw new AppError(
            "not_ready",
            `${pending.length} migration(s) not applied yet`,
            { pending_migrations: pending },
          );
        }
        return {
          json: { status: "ready", database: "ok", pending_migrations: [] },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/status",
      tag: "system",
      access: "read",
      summary:
        "Live workers per app with heartbeats, pool sizes, running count, queue depth and lag, the schedules the watchdog found silent, and the database's health: table and index sizes, dead tuples, vacuum times, the oldest transaction, standbys and their lag",
      responses: {
        200: { description: "Fleet status", schema: StatusResponseSchema },
      },
      handler: async ({ principal }) => {
        const [workers, queue, lastCleanup, episodes, database] =
          await Promise.all([
            listLiveWorkers(deps.db, { staleSeconds: STALE_WORKER_SECONDS }),
            getQueueDepth(deps.db),
            getLastMaintenanceRun(deps.db),
            // a token limited to some projects sees only their episodes
            listOpenWatchdogEpisodes(deps.db, {
              projectIds: principal?.projects ?? undefined,
              limit: MAX_STATUS_EPISODES,
            }),
            readDatabaseHealth(),
          ]);
        const apps: Record<
          string,
          { workers: number; concurrency: number; running: number }
        > = {};
        for (const w of workers) {
          const app = (apps[w.app] ??= {
            workers: 0,
            concurrency: 0,
            running: 0,
          });
          app.workers += 1;
          app.concurrency += w.concurrency ?? 0;
          app.running += w.running;
        }
        const noExecutor = queue.due > 0 && apps.executor === undefined;
        const degraded =
          noExecutor || queue.oldest_due_lag_seconds > DEGRADED_LAG_SECONDS;
        return {
          json: {
            status: degraded ? "degraded" : "ok",
            time: new Date().toISOString(),
            apps,
            workers: workers.map(
              ({ info: _info, stopped_at: _stopped, ...w }) => w,
            ),
            queue,
            api_pool: {
              total: deps.pool.totalCount,
              idle: deps.pool.idleCount,
              waiting: deps.pool.waitingCount,
            },
            last_cleanup: lastCleanup?.finished_at
              ? {
                  worker_id: lastCleanup.worker_id,
                  started_at: new Date(lastCleanup.started_at).toISOString(),
                  finished_at: lastCleanup.finished_at.toISOString(),
                  duration_ms: lastCleanup.duration_ms,
                  pruned: numericCounts(lastCleanup.pruned),
                  error: lastCleanup.error,
                }
              : null,
            watchdog: {
              open_episodes: episodes.map((e) => ({
                id: e.id,
                project_id: e.project_id,
                project_name: e.project_name,
                schedule_id: e.schedule_id,
                cron_expression: e.cron_expression,
                timezone: e.timezone,
                since: e.opened_at.toISOString(),
                expected_at: e.expected_at.toISOString(),
                last_finished_at: e.last_finished_at?.toISOString() ?? null,
                reason: e.reason,
                detail: e.detail,
                alerted_at: e.alerted_at?.toISOString() ?? null,
              })),
            },
            database,
          },
        };
      },
    }),
  ];
}

/** The cleaner's per-table counts (jsonb), keeping only numbers. */
function numericCounts(
  pruned: Record<string, unknown>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pruned).filter(
      (e): e is [string, number] => typeof e[1] === "number",
    ),
  );
}
