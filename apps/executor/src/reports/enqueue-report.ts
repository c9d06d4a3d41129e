import {
  buildReport,
  REPORT_MAX_FINDINGS_PER_GROUP,
  type ProjectConfig,
  reportChannels,
  perChannel,
} from "@vigil/contracts";
import {
  enqueueOutboxEntry,
  listOpenDiscrepanciesForReport,
  type ExecutionRow,
  type ReportDiscrepancy,
} from "@vigil/db";

import { enqueueAlertForRun, type AlertDecision } from "./enqueue-alert.js";
import { enqueueDigestIfDue, type DigestDecision } from "./enqueue-digest.js";
import {
  groupDiscrepancyChanges,
  shouldSendReport,
  type FinalExecutionStatus,
  reportExecution,
} from "./plan-report.js";

/** The transaction that records the execution (kysely's Transaction<Database>). */
type RecordTransaction = Parameters<typeof enqueueOutboxEntry>[0];

export interface ReportSettings {
  /** REPORT_MAX_ATTEMPTS. */
  maxAttempts: number;
  /** PUBLIC_URL of the API, for links; null: no links. */
  publicUrl: string | null;
  /** Whether REPORT_URL is set: without it, a project without `report.url_env` has nowhere to send. */
  globalReportUrlSet: boolean;
}

export interface EnqueueReportInput {
  project: { id: string; name: string; config: ProjectConfig };
  /** The execution row as just written in this transaction (final status). */
  execution: Pick<
    ExecutionRow,
    | "id"
    | "status"
    | "attempt"
    | "scheduled_for"
    | "started_at"
    | "finished_at"
    | "duration_ms"
    | "window_start"
    | "window_end"
    | "findings_count"
    | "findings_truncated"
    | "error_message"
    | "rule_results"
  >;
  /**
   * `updateDiscrepancies`' transitions for this execution; omit when the execution did not
   * update discrepancies (failed, timed out): the report then lists what is open as still open.
   */
  changes?: readonly ReportDiscrepancy[];
  settings: ReportSettings;
  /**
   * Whether this execution is the trigger's last word. A failure that will be retried is
   * reported (per mode) but does not alert; the final failure does. @default true
   */
  finalAttempt?: boolean;
  /**
   * The trigger's final status when it differs from the execution's: a quarantined trigger
   * failed although its last execution was `lost`, and alerts as a failure.
   */
  triggerFailed?: boolean;
  /** The clock for `generated_at` (the recording transaction's time). */
  now: Date;
}

export type ReportDecision =
  "enqueued" | "mode" | "no_target" | "duplicate" | `digest_${DigestDecision}`;
export type { AlertDecision };

export interface EnqueueReportResult {
  report: ReportDecision;
  alert: AlertDecision;
}

/**
 * Writes the execution's report (or the project's digest, when one is due) and its failure or
 * recovery alert, if any, to the outbox inside the transaction that records the execution, so
 * the result and its report commit together or not at all. Call it after the execution row is
 * final and discrepancies are updated, before the trigger is finished, in the same `trx`.
 * One row per channel (reportChannels, alertChannels). Idempotency keys are
 * `report:<execution id>`, `digest:<project>:<n>`, `alert:<execution id>` and
 * `recovery:<execution id>`: stable across delivery retries, unique per report and channel.
 */
export async function enqueueReportForExecution(
  trx: RecordTransaction,
  input: EnqueueReportInput,
): Promise<EnqueueReportResult> {
  const status = toFinalStatus(input.execution.status);
  return {
    report: await enqueueReport(trx, input, status),
    alert:
      status === null || input.finalAttempt === false
        ? "not_configured"
        : await enqueueAlertForRun(trx, input, status),
  };
}

function toFinalStatus(
  status: ExecutionRow["status"],
): FinalExecutionStatus | null {
  return status === "pending" || status === "running" ? null : status;
}

async function enqueueReport(
  trx: RecordTransaction,
  input: EnqueueReportInput,
  status: FinalExecutionStatus | null,
): Promise<ReportDecision> {
  const { project, execution, settings } = input;
  const channels = reportChannels(project.config, settings.globalReportUrlSet);
  if (channels.length === 0) {
    return "no_target";
  }
  if (project.config.report.digest !== undefined) {
    // the run's transitions are in discrepancy_events; the digest carries them when it is due
    const decision = await enqueueDigestIfDue(trx, {
      project,
      settings,
      now: input.now,
    });
    return `digest_${decision}`;
  }
  const transitions =
    input.changes ??
    (await listOpenDiscrepanciesForReport(trx, {
      projectId: project.id,
      limit: REPORT_MAX_FINDINGS_PER_GROUP + 1,
    }));
  const changes = groupDiscrepancyChanges(transitions);
  if (
    status === null ||
    !shouldSendReport(project.config.report.mode, {
      changes,
      findingsCount: execution.findings_count,
    })
  ) {
    return "mode";
  }
  const idempotencyKey = `report:${execution.id}`;
  const report = buildReport({
    idempotencyKey,
    project: { id: project.id, name: project.name },
    execution: reportExecution(execution, status),
    changes,
    publicUrl: settings.publicUrl,
    generatedAt: input.now,
  });
  let enqueued = false;
  for (const entry of perChannel(channels, {
    projectId: project.id,
    executionId: execution.id,
    kind: "report",
    idempotencyKey,
    payload: report,
    maxAttempts: settings.maxAttempts,
  })) {
    // every channel gets its row: no short-circuit past the first that was new
    const id = await enqueueOutboxEntry(trx, entry);
    enqueued ||= id !== null;
  }
  return enqueued ? "enqueued" : "duplicate";
}
