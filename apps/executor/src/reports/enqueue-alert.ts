import { executionUrl, alertChannels, perChannel } from "@vigil/contracts";
import {
  countRunForAlerts,
  enqueueAlertUnlessThrottled,
  enqueueOutboxEntry,
  markProjectAlerted,
} from "@vigil/db";

import type { EnqueueReportInput } from "./enqueue-report.js";
import {
  buildAlertBody,
  buildRecoveryBody,
  classifyForAlerts,
  type FinalExecutionStatus,
} from "./plan-report.js";

type RecordTransaction = Parameters<typeof enqueueOutboxEntry>[0];

export type AlertDecision =
  | "enqueued"
  | "recovery"
  | "not_configured"
  | "below_threshold"
  | "throttled"
  | "duplicate";

/**
 * The failure and recovery alerts of one final run, in its record transaction. Each final run
 * in a status of `alert.on` counts towards `after_failures` (`project_alert_states`); once the
 * count reaches it, the failure alert is enqueued unless one went out within
 * `min_interval_seconds`. The first success after an alerting episode enqueues one recovery
 * alert (`recovery:<execution id>`) and sets the count back to 0.
 */
export async function enqueueAlertForRun(
  trx: RecordTransaction,
  input: EnqueueReportInput,
  status: FinalExecutionStatus,
): Promise<AlertDecision> {
  const { project, execution, settings } = input;
  const alert = project.config.alert;
  if (alert === undefined) {
    return "not_configured";
  }
  const alertStatus = input.triggerFailed ? "failed" : status;
  const kind = classifyForAlerts(alert, alertStatus);
  if (kind === null) {
    return "not_configured";
  }
  const count = await countRunForAlerts(trx, {
    projectId: project.id,
    result: kind === "success" ? "success" : "failure",
  });
  const url = executionUrl(settings.publicUrl, execution.id);
  if (kind === "success") {
    if (!count.wasAlerting || !alert.recovery) {
      return "not_configured";
    }
    let enqueued = false;
    for (const entry of perChannel(alertChannels(project.config), {
      projectId: project.id,
      executionId: execution.id,
      kind: "alert",
      idempotencyKey: `recovery:${execution.id}`,
      payload: buildRecoveryBody({
        projectId: project.id,
        projectName: project.name,
        executionId: execution.id,
        alertExecutionId: count.alertExecutionId,
        url,
      }),
      maxAttempts: settings.maxAttempts,
    })) {
      // every channel gets its row: no short-circuit past the first that was new
      const id = await enqueueOutboxEntry(trx, entry);
      enqueued ||= id !== null;
    }
    return enqueued ? "recovery" : "duplicate";
  }
  if (count.consecutiveFailures < alert.after_failures) {
    return "below_threshold";
  }
  const result = await enqueueAlertUnlessThrottled(
    trx,
    perChannel(alertChannels(project.config), {
      projectId: project.id,
      executionId: execution.id,
      kind: "alert",
      idempotencyKey: `alert:${execution.id}`,
      payload: buildAlertBody({
        projectId: project.id,
        projectName: project.name,
        executionId: execution.id,
        status: kind.status,
        errorMessage: execution.error_message,
        url,
        consecutiveFailures: count.consecutiveFailures,
      }),
      maxAttempts: settings.maxAttempts,
    }),
    alert.min_interval_seconds,
  );
  // throttled: an alert of this project went out moments ago, so people already know
  if (result.enqueued || result.reason === "throttled") {
    await markProjectAlerted(trx, {
      projectId: project.id,
      executionId: execution.id,
    });
  }
  return result.enqueued ? "enqueued" : result.reason;
}
