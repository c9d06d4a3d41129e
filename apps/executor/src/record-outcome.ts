import {
  finishRun,
  insertExecutionInputs,
  insertFindings,
  toJson,
  updateDiscrepancies,
  type ClaimedTrigger,
  type Db,
  type DbTransaction,
  type DiscrepancyTransition,
  type ExecutionStatus,
  type FinishRunOptions,
  type JsonValue,
  type NewExecutionInput,
} from "@vigil/db";

import {
  assertNever,
  describeOutcome,
  findingsTruncatedOf,
  discrepancyInputOf,
  isRetryableOutcome,
  ruleResultsOf,
  rulesStatus,
  toExecutionStatus,
  type CapturedInput,
  type DiscrepancyInput,
  type RunOutcome,
} from "@vigil/detector-run";

/** The transaction handle the fenced queries require (kysely's Transaction<Database>). */
export type RecordTransaction = DbTransaction;

/** What was written, handed to `afterRecord` inside the same transaction. */
export interface RecordedExecution {
  claim: ClaimedTrigger;
  workerId: string;
  outcome: RunOutcome;
  executionStatus: Exclude<ExecutionStatus, "pending" | "running">;
  /** The trigger's new state: terminal, back to pending for a retry, or handed back on shutdown. */
  trigger:
    | { kind: "finished"; status: "succeeded" | "failed" }
    | { kind: "retry"; delayMs: number }
    | { kind: "released" };
  /** Empty unless the rules ran (the run was weighed against its evidence). */
  discrepancies: DiscrepancyTransition[];
}

/**
 * The seam for reports (issue 6): called inside the record transaction, after every other write,
 * so a report row commits together with the result or not at all. Throwing rolls everything back.
 */
export type AfterRecord = (
  trx: RecordTransaction,
  recorded: RecordedExecution,
) => Promise<void>;

export interface RecordOptions {
  db: Db;
  claim: ClaimedTrigger;
  workerId: string;
  outcome: RunOutcome;
  /** Delay before the next attempt if this one failed and attempts remain. */
  retryDelayMs: number;
  afterRecord?: AfterRecord;
}

class LeaseLost extends Error {}

/**
 * Records a run's outcome in ONE transaction: the trigger transition and the execution row first
 * (one fenced statement, `finishRun`; its row lock keeps rescue and `replace` out until commit),
 * then findings, the discrepancies weighed against the run's evidence, and the afterRecord hook.
 * The run's kept input (execution_inputs) is written right after the fenced statement, so it
 * commits exactly with the record. With no findings, no input and no hook that one statement is
 * the whole record and runs without BEGIN/COMMIT, as long as the project tracks no discrepancy the run could resolve (else it comes
 * back guarded and takes the transaction). If any fence fails the lease was lost: everything is
 * rolled back and `{ recorded: false }` returned, so a run that lost its claim writes nothing.
 * A `cancelled: lease_lost` outcome is never recorded at all.
 */
export async function recordOutcome(
  o: RecordOptions,
): Promise<{ recorded: boolean }> {
  const { claim, outcome, workerId } = o;
  if (outcome.kind === "cancelled" && outcome.reason === "lease_lost") {
    return { recorded: false };
  }
  const { run, trigger, executionStatus, findings, evaluation, input } =
    planRecord(o);

  // Nothing else to write: the one fenced statement is atomic by itself (1 round trip, no BEGIN/COMMIT).
  if (findings.length === 0 && !o.afterRecord && input === null) {
    const { owned, guarded } = await finishRun(o.db, run);
    if (!guarded) {
      return { recorded: owned };
    }
  }
  try {
    await o.db.transaction().execute(async (trx) => {
      const { owned } = await finishRun(trx, { ...run, evaluates: null });
      if (!owned) {
        throw new LeaseLost();
      }
      if (input !== null) {
        await insertExecutionInputs(trx, [input]);
      }
      if (findings.length > 0) {
        await insertFindings(
          trx,
          findings.map((f) => ({
            execution_id: claim.executionId,
            project_id: claim.projectId,
            rule_id: f.ruleId,
            severity: f.severity,
            fingerprint: f.fingerprint,
            finding_key: f.key,
            message: f.message,
            data: f.data === undefined ? null : toJson(f.data),
          })),
        );
      }
      const discrepancies: DiscrepancyTransition[] =
        evaluation === null
          ? []
          : await updateDiscrepancies(trx, {
              projectId: claim.projectId,
              executionId: claim.executionId,
              ...evaluation,
            });
      await o.afterRecord?.(trx, {
        claim,
        workerId,
        outcome,
        executionStatus,
        trigger,
        discrepancies,
      });
    });
    return { recorded: true };
  } catch (err) {
    if (err instanceof LeaseLost) {
      return { recorded: false };
    }
    throw err;
  }
}

/** What a record writes, derived from the outcome: `finishRun`'s input and the parts the hook and findings need. */
export interface RecordPlan {
  run: FinishRunOptions;
  trigger: RecordedExecution["trigger"];
  executionStatus: RecordedExecution["executionStatus"];
  findings: Extract<RunOutcome, { kind: "succeeded" }>["findings"];
  /** Set when the rules ran (success, partial, all rules failed): the run is evidence about discrepancies. */
  evaluation: DiscrepancyInput | null;
  /** The run's loaded input to store with the record; null when the run kept none. */
  input: NewExecutionInput | null;
}

export function planRecord(
  o: Pick<RecordOptions, "claim" | "workerId" | "outcome" | "retryDelayMs">,
): RecordPlan {
  const { claim, outcome, workerId } = o;
  const message = describeOutcome(outcome);
  const trigger = nextTriggerState(outcome, claim, o.retryDelayMs);
  const executionStatus = toExecutionStatus(outcome);
  const findings = outcome.kind === "succeeded" ? outcome.findings : [];
  const rules = outcome.kind === "succeeded" ? outcome.rules : [];
  const failedRuleIds = rules
    .filter((r) => r.status === "error")
    .map((r) => r.ruleId);
  const evaluation = discrepancyInputOf(outcome);
  const proc = outcome.details.process;
  const run: FinishRunOptions = {
    fence: { triggerId: claim.triggerId, workerId, attempt: claim.attempt },
    trigger,
    lastError: message,
    execution: {
      executionId: claim.executionId,
      status: executionStatus,
      errorMessage: message,
      exitCode: proc?.exitCode ?? null,
      signal: proc?.signal ?? null,
      stdoutTail: proc?.stdoutTail ?? null,
      stderrTail: proc?.stderrTail ?? null,
      stdoutBytes: proc?.stdoutBytes ?? null,
      stderrBytes: proc?.stderrBytes ?? null,
      findingsCount: findings.length,
      findingsTruncated: findingsTruncatedOf(rules),
      rulesTotal: rules.length,
      rulesFailed: failedRuleIds.length,
      ruleResults: ruleResultsOf(outcome) as unknown as JsonValue[],
      rowCount: outcome.details.rowCount ?? null,
      detectorHash: outcome.details.detectorHash ?? null,
      sandbox: outcome.details.sandbox ?? null,
      ...(outcome.details.window
        ? {
            windowStart: outcome.details.window.start,
            windowEnd: outcome.details.window.end,
          }
        : {}),
    },
    // recorded alone (no transaction), a run whose rules ran must have no discrepancy to weigh
    evaluates: evaluation === null ? null : { projectId: claim.projectId },
  };

  const input = inputRow(claim, outcome.details);
  return { run, trigger, executionStatus, findings, evaluation, input };
}

function inputRow(
  claim: ClaimedTrigger,
  details: RunOutcome["details"],
): NewExecutionInput | null {
  const captured: CapturedInput | undefined = details.input;
  if (captured === undefined) {
    return null;
  }
  return {
    execution_id: claim.executionId,
    project_id: claim.projectId,
    window_start: captured.window.start,
    window_end: captured.window.end,
    detector_hash: details.detectorHash ?? null,
    parameters: toJson(captured.parameters),
    row_count: captured.rowCount,
    bytes: captured.bytes,
    raw_bytes: captured.rawBytes,
    rows_gz: captured.kept ? captured.rowsGz : null,
    not_kept: captured.kept ? null : captured.reason,
  };
}

function nextTriggerState(
  outcome: RunOutcome,
  claim: ClaimedTrigger,
  retryDelayMs: number,
): RecordedExecution["trigger"] {
  switch (outcome.kind) {
    case "succeeded":
      // rule errors are the rules' own (code, a renamed column): another attempt cannot help
      return {
        kind: "finished",
        status:
          rulesStatus(outcome.rules) === "failed" ? "failed" : "succeeded",
      };
    case "cancelled":
      return { kind: "released" };
    case "failed":
    case "timed_out":
    case "rejected":
      return isRetryableOutcome(outcome) && claim.attempt < claim.maxAttempts
        ? { kind: "retry", delayMs: retryDelayMs }
        : { kind: "finished", status: "failed" };
    default:
      return assertNever(outcome);
  }
}
