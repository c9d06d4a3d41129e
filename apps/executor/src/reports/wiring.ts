import { ProjectConfigSchema } from "@vigil/contracts";
import { loadReportContext, type RescuedRun } from "@vigil/db";
import type { Logger } from "@vigil/logger";

import type { ExecutorConfig } from "../config.js";
import type { AfterRecord } from "../record-outcome.js";
import type { AfterRescue } from "../rescue-loop.js";
import type { DeliveryLoopDeps } from "./delivery-loop.js";
import {
  enqueueReportForExecution,
  type ReportSettings,
} from "./enqueue-report.js";

type ReportConfig = Pick<
  ExecutorConfig,
  | "REPORT_URL"
  | "REPORT_SIGNING_SECRET"
  | "REPORT_ALLOW_PRIVATE_NETWORKS"
  | "REPORT_MAX_ATTEMPTS"
  | "REPORT_TIMEOUT_MS"
  | "PUBLIC_URL"
  | "POLL_INTERVAL_MS"
>;

export function reportSettingsFromConfig(config: ReportConfig): ReportSettings {
  return {
    maxAttempts: config.REPORT_MAX_ATTEMPTS,
    publicUrl: config.PUBLIC_URL ?? null,
    globalReportUrlSet: config.REPORT_URL !== undefined,
  };
}

export function deliverySettingsFromConfig(
  config: ReportConfig,
): DeliveryLoopDeps["settings"] {
  return {
    pollIntervalMs: config.POLL_INTERVAL_MS,
    reportUrl: config.REPORT_URL,
    signingSecret: config.REPORT_SIGNING_SECRET,
    allowPrivateNetworks: config.REPORT_ALLOW_PRIVATE_NETWORKS,
    timeoutMs: config.REPORT_TIMEOUT_MS,
  };
}

/**
 * The executor's `afterRecord` hook: inside the record transaction, after the execution,
 * findings and discrepancies are written, enqueue the report (per the project's mode) and a
 * failure alert (final attempts only, throttled). A run handed back on shutdown is not
 * reported: it runs again. A database error here throws and rolls the whole record back,
 * so no result commits without its report.
 */
export function createReportAfterRecord({
  logger,
  settings,
  now = () => new Date(),
}: {
  logger: Logger;
  settings: ReportSettings;
  now?: () => Date;
}): AfterRecord {
  const log = logger.child({ component: "report-outbox" });
  return async (trx, recorded) => {
    if (recorded.trigger.kind === "released") {
      return;
    }
    const context = await loadReportContext(trx, recorded.claim.executionId);
    if (context === undefined) {
      return;
    }
    const config = ProjectConfigSchema.safeParse(context.project.config);
    if (!config.success) {
      // the API validates configs on write; a row edited by hand must not block recording results
      log.warn(
        { projectId: context.project.id, executionId: context.execution.id },
        "project config is invalid; no report or alert enqueued",
      );
      return;
    }
    const result = await enqueueReportForExecution(trx, {
      project: {
        id: context.project.id,
        name: context.project.name,
        config: config.data,
      },
      execution: context.execution,
      ...(recorded.outcome.kind === "succeeded"
        ? { changes: recorded.discrepancies }
        : {}),
      settings,
      finalAttempt: recorded.trigger.kind === "finished",
      now: now(),
    });
    log.debug(
      {
        projectId: context.project.id,
        executionId: context.execution.id,
        ...result,
      },
      "report outbox decided",
    );
  };
}

/**
 * The rescue's hook: a run lost with its worker is an execution like any other for the project's
 * report mode (`always` reports it as `lost`), and a quarantined trigger alerts as a failure. In
 * the rescue's transaction, so a rescue and its report commit together.
 */
export function createReportAfterRescue({
  logger,
  settings,
  now = () => new Date(),
}: {
  logger: Logger;
  settings: ReportSettings;
  now?: () => Date;
}): AfterRescue {
  const log = logger.child({ component: "report-outbox" });
  return async (trx, rescued: readonly RescuedRun[]) => {
    for (const run of rescued) {
      if (run.executionId === null) {
        continue;
      }
      const context = await loadReportContext(trx, run.executionId);
      const config =
        context && ProjectConfigSchema.safeParse(context.project.config);
      if (!context || !config?.success) {
        continue;
      }
      const quarantined = run.status === "failed";
      const result = await enqueueReportForExecution(trx, {
        project: {
          id: context.project.id,
          name: context.project.name,
          config: config.data,
        },
        execution: context.execution,
        settings,
        finalAttempt: quarantined,
        triggerFailed: quarantined,
        now: now(),
      });
      log.debug(
        { projectId: run.projectId, executionId: run.executionId, ...result },
        "report outbox decided for a rescued run",
      );
    }
  };
}
