import { smtpEnvOf } from "@vigil/channels";
import { ProjectConfigSchema } from "@vigil/contracts";
import {
  loadReportContext,
  type DbTransaction,
  type RescuedRun,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

import type { ExecutorConfig } from "../config.js";
import type { AfterRecord } from "../record-outcome.js";
import type { AfterRescue } from "../rescue-loop.js";
import type { DeliveryLoopDeps } from "./delivery-loop.js";
import {
  enqueueReportForExecution,
  type EnqueueReportInput,
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
  | "SMTP_URL"
  | "SMTP_HOST"
  | "SMTP_PORT"
  | "SMTP_SECURE"
  | "SMTP_STARTTLS"
  | "SMTP_USER"
  | "SMTP_PASSWORD"
  | "SMTP_FROM"
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
    smtp: smtpEnvOf(config),
  };
}

type HookOptions = {
  logger: Logger;
  settings: ReportSettings;
  now?: () => Date;
};

/**
 * Enqueues what one execution owes per its project's config, inside the caller's transaction.
 * A project whose config no longer parses (the API validates on write; a row edited by hand)
 * gets nothing, and the write it rides on still commits.
 */
function createExecutionReporter({
  logger,
  settings,
  now = () => new Date(),
}: HookOptions) {
  const log = logger.child({ component: "report-outbox" });
  return async (
    trx: DbTransaction,
    executionId: number,
    input: Pick<
      EnqueueReportInput,
      "changes" | "finalAttempt" | "triggerFailed"
    >,
  ): Promise<void> => {
    const context = await loadReportContext(trx, executionId);
    if (context === undefined) {
      return;
    }
    const config = ProjectConfigSchema.safeParse(context.project.config);
    if (!config.success) {
      log.warn(
        { projectId: context.project.id, executionId },
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
      ...input,
      settings,
      now: now(),
    });
    log.debug(
      { projectId: context.project.id, executionId, ...result },
      "report outbox decided",
    );
  };
}

/**
 * The executor's `afterRecord` hook: inside the record transaction, after the execution,
 * findings and discrepancies are written, enqueue the report (per the project's mode, or the
 * digest when due) and the alerts (final attempts only: a failure after `after_failures` in a
 * row, throttled; a recovery). A run handed back on shutdown is not
 * reported: it runs again. A database error here throws and rolls the whole record back,
 * so no result commits without its report.
 */
export function createReportAfterRecord(options: HookOptions): AfterRecord {
  const report = createExecutionReporter(options);
  return async (trx, recorded) => {
    if (recorded.trigger.kind === "released") {
      return;
    }
    await report(trx, recorded.claim.executionId, {
      ...(recorded.outcome.kind === "succeeded"
        ? { changes: recorded.discrepancies }
        : {}),
      finalAttempt: recorded.trigger.kind === "finished",
    });
  };
}

/**
 * The rescue's hook: a run lost with its worker is an execution like any other for the project's
 * report mode (`always` reports it as `lost`), and a quarantined trigger alerts as a failure. In
 * the rescue's transaction, so a rescue and its report commit together.
 */
export function createReportAfterRescue(options: HookOptions): AfterRescue {
  const report = createExecutionReporter(options);
  return async (trx, rescued: readonly RescuedRun[]) => {
    for (const run of rescued) {
      if (run.executionId !== null) {
        const quarantined = run.status === "failed";
        await report(trx, run.executionId, {
          finalAttempt: quarantined,
          triggerFailed: quarantined,
        });
      }
    }
  };
}
