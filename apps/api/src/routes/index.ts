import type { ApiDeps } from "../deps.js";
import type { TokenStore } from "../http/token-store.js";
import type { ApiMetrics } from "../metrics.js";
import { auditRoutes } from "./audit.js";
import { backfillRoutes } from "./backfills.js";
import { channelRoutes } from "./channels.js";
import { cronRoutes } from "./cron.js";
import { discrepancyRoutes } from "./discrepancies.js";
import { docsRoutes } from "./docs.js";
import { dryRunRoutes, type DryRunRouteDeps } from "./dry-run.js";
import { executionRoutes } from "./executions.js";
import { metricsRoutes } from "./metrics.js";
import { monitoringRoutes } from "./monitoring.js";
import { projectActionRoutes } from "./project-actions.js";
import { projectRoutes } from "./projects.js";
import { reportRoutes } from "./reports.js";
import type { RouteDef } from "./route.js";
import { ruleRoutes } from "./rules.js";
import { scheduleRoutes } from "./schedules.js";
import { systemRoutes } from "./system.js";
import { tokenRoutes } from "./tokens.js";

/**
 * Every route of the API, one group per file. A new group is added here (e.g. report
 * deliveries); its routes get auth, validation and OpenAPI from their definitions.
 * `/projects/refresh` comes before `/projects/:id...` only for readability: express
 * matches by method and path, and no GET exists for it.
 */
export function allRoutes(
  deps: ApiDeps,
  dryRun: DryRunRouteDeps,
  extra: readonly RouteDef[],
  getDocument: () => unknown,
  metrics: ApiMetrics,
  tokenStore: TokenStore,
): RouteDef[] {
  return [
    ...systemRoutes(deps),
    ...metricsRoutes(metrics),
    ...monitoringRoutes(deps),
    ...projectActionRoutes(),
    ...dryRunRoutes(dryRun),
    ...backfillRoutes(deps),
    ...projectRoutes(deps),
    ...scheduleRoutes(deps),
    ...ruleRoutes(deps),
    ...executionRoutes(deps),
    ...discrepancyRoutes(deps),
    ...reportRoutes(deps),
    ...channelRoutes(deps),
    ...auditRoutes(deps),
    ...cronRoutes(),
    ...tokenRoutes(deps, tokenStore),
    ...extra,
    ...docsRoutes(getDocument),
  ];
}
