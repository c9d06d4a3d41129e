import {
  buildReport,
  isoDurationToMs,
  REPORT_MAX_FINDINGS_PER_GROUP,
  type ProjectConfig,
  reportChannels,
  perChannel,
} from "@vigil/contracts";
import {
  advanceReportDigest,
  enqueueOutboxEntry,
  listDigestTransitions,
  listOpenDiscrepanciesForReport,
  loadReportContext,
  lockReportDigest,
  readDigestRange,
} from "@vigil/db";

import type { ReportSettings } from "./enqueue-report.js";
import {
  groupDiscrepancyChanges,
  hasTransitions,
  toReportFinding,
  reportExecution,
} from "./plan-report.js";

type RecordTransaction = Parameters<typeof enqueueOutboxEntry>[0];

/** `enqueued`: a digest is in the outbox; `not_due`: the interval has not passed; `nothing`: no execution to cover, or the mode has nothing to say about them. */
export type DigestDecision = "enqueued" | "not_due" | "nothing";

export interface EnqueueDigestInput {
  project: { id: string; name: string; config: ProjectConfig };
  settings: ReportSettings;
  now: Date;
}

/**
 * Enqueues the project's digest if `report.digest` has passed since the last one (the first is
 * due at once): one report carrying every transition of the finished executions since the last
 * digest, grouped as a per-execution report is, with `execution` set to the last of them and
 * `digest` saying which. Called by the record transaction of each run and by the digest flush
 * (`digest-loop.ts`) for a project whose runs stopped; the digest row's lock makes both safe to
 * run anywhere at once. Idempotency key `digest:<project>:<n>` (n-th digest of the project).
 */
export async function enqueueDigestIfDue(
  trx: RecordTransaction,
  { project, settings, now }: EnqueueDigestInput,
): Promise<DigestDecision> {
  const interval = project.config.report.digest;
  if (interval === undefined) {
    return "nothing";
  }
  const intervalSeconds = (isoDurationToMs(interval) ?? 0) / 1000;
  const state = await lockReportDigest(trx, {
    projectId: project.id,
    intervalSeconds,
  });
  if (!state.due) {
    return "not_due";
  }
  const range = await readDigestRange(trx, {
    projectId: project.id,
    afterExecutionId: state.last_execution_id,
  });
  if (range === undefined) {
    return "nothing";
  }
  const changes = groupDiscrepancyChanges(
    await listDigestTransitions(trx, {
      projectId: project.id,
      afterExecutionId: state.last_execution_id,
      lastExecutionId: range.lastExecutionId,
    }),
  );
  // still_open: what is tracked now and listed in no other group that leaves it open
  const listed = new Set(
    [
      ...changes.new,
      ...changes.reopened,
      ...changes.escalated,
      ...changes.unmuted,
    ].map((f) => f.fingerprint),
  );
  changes.still_open = (
    await listOpenDiscrepanciesForReport(trx, {
      projectId: project.id,
      limit: REPORT_MAX_FINDINGS_PER_GROUP + listed.size + 1,
    })
  )
    .filter((d) => !listed.has(d.fingerprint))
    .map(toReportFinding);
  const mode = project.config.report.mode;
  const send =
    mode === "always" ||
    (mode === "on_findings" && range.findings > 0) ||
    (mode === "on_change" && hasTransitions(changes));
  const context = send
    ? await loadReportContext(trx, range.lastExecutionId)
    : undefined;
  if (context === undefined) {
    await advanceReportDigest(trx, {
      projectId: project.id,
      lastExecutionId: range.lastExecutionId,
      sent: false,
    });
    return "nothing";
  }
  const e = context.execution;
  // readDigestRange covers finished executions only; this narrows the type
  const status =
    e.status === "pending" || e.status === "running" ? "lost" : e.status;
  const idempotencyKey = `digest:${project.id}:${state.sent + 1}`;
  const report = buildReport({
    idempotencyKey,
    project: { id: project.id, name: project.name },
    execution: reportExecution(e, status),
    changes,
    digest: {
      interval,
      firstExecutionId: range.firstExecutionId,
      lastExecutionId: range.lastExecutionId,
      executions: range.executions,
      since: state.last_sent_at,
    },
    publicUrl: settings.publicUrl,
    generatedAt: now,
  });
  for (const entry of perChannel(
    reportChannels(project.config, settings.globalReportUrlSet),
    {
      projectId: project.id,
      executionId: e.id,
      kind: "report",
      idempotencyKey,
      payload: report,
      maxAttempts: settings.maxAttempts,
    },
  )) {
    await enqueueOutboxEntry(trx, entry);
  }
  await advanceReportDigest(trx, {
    projectId: project.id,
    lastExecutionId: range.lastExecutionId,
    sent: true,
  });
  return "enqueued";
}
