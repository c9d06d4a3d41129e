import {
  QueueQuerySchema,
  QueueResponseSchema,
  StatsQuerySchema,
  StatsResponseSchema,
} from "@vigil/contracts";
import { countSkippedRuns, getExecutionStats, listQueue } from "@vigil/db";

import type { ApiDeps } from "../deps.js";
import { AppError } from "../http/app-error.js";
import { projectFilter } from "../http/project-access.js";
import { defineRoute, type RouteDef } from "./route.js";

const DAY_MS = 24 * 3600 * 1000;
/** A wider /stats window is refused: it would scan most of the table for one request. */
const MAX_STATS_WINDOW_DAYS = 400;

/** Percent with two decimals, as the monitoring API Vigil replaces reported it. */
export function successRate(success: number, total: number): number | null {
  return total === 0 ? null : Math.round((success / total) * 10_000) / 100;
}

/** The queue and execution statistics (the names and fields of the Cricket monitoring API). */
export function monitoringRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/queue",
      tag: "monitoring",
      access: "read",
      summary:
        "The next pending triggers, soonest first, with project name, fire time, cron and timezone",
      query: QueueQuerySchema,
      responses: {
        200: { description: "Pending triggers", schema: QueueResponseSchema },
      },
      handler: async ({ query, principal }) => {
        const items = await listQueue(deps.readDb, {
          limit: query.limit,
          ...projectFilter(principal, query.project_id),
        });
        return {
          json: items.map(({ fire_at, ...item }) => ({
            ...item,
            next_run: fire_at,
          })),
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/stats",
      tag: "monitoring",
      access: "read",
      summary:
        "Executions by status, success rate and duration percentiles, and skipped runs by reason, for a time window (default: the last 24 hours) and optionally one project",
      query: StatsQuerySchema,
      responses: {
        200: { description: "Statistics", schema: StatsResponseSchema },
      },
      handler: async ({ query, principal }) => {
        const to = query.to === undefined ? new Date() : new Date(query.to);
        const from =
          query.from === undefined
            ? new Date(to.getTime() - DAY_MS)
            : new Date(query.from);
        if (from >= to) {
          throw new AppError(
            "invalid_query",
            "invalid query string: from must be before to",
            [{ path: "from", message: "must be before to" }],
          );
        }
        if (to.getTime() - from.getTime() > MAX_STATS_WINDOW_DAYS * DAY_MS) {
          throw new AppError(
            "invalid_query",
            `invalid query string: the window may span at most ${MAX_STATS_WINDOW_DAYS} days`,
            [
              {
                path: "from",
                message: `at most ${MAX_STATS_WINDOW_DAYS} days before to`,
              },
            ],
          );
        }
        const filter = {
          from,
          to,
          ...projectFilter(principal, query.project_id),
        };
        const [stats, skipped] = await Promise.all([
          getExecutionStats(deps.readDb, filter),
          countSkippedRuns(deps.readDb, filter),
        ]);
        return {
          json: {
            project_id: query.project_id ?? null,
            from: from.toISOString(),
            to: to.toISOString(),
            total: stats.total,
            ...stats.counts,
            success_rate: successRate(stats.counts.success, stats.total),
            duration_ms: stats.duration_ms,
            skipped_runs: {
              total: Object.values(skipped).reduce((a, b) => a + b, 0),
              ...skipped,
            },
          },
        };
      },
    }),
  ];
}
