import type { Db } from "../../pool.js";
import type { InputNotKept } from "../../tables/execution-inputs.js";

/** Whether an execution's input can be replayed, without its rows. */
export type ExecutionInputState = {
  /** The execution's project: callers answer another project's execution as unknown. */
  projectId: string;
} & (
  | {
      kept: true;
      rowCount: number;
      bytes: number;
      rawBytes: number;
      window: { start: Date; end: Date };
      detectorHash: string | null;
      createdAt: Date;
    }
  | {
      kept: false;
      /** `not_recorded`: no input was stored (inputs off, or the run failed before its rows loaded). */
      reason: InputNotKept | "not_recorded";
      message: string;
    }
);

/** The execution's input state; undefined when the execution does not exist. */
export async function describeExecutionInput(
  db: Db,
  executionId: number,
): Promise<ExecutionInputState | undefined> {
  const row = await db
    .selectFrom("executions as e")
    .leftJoin("execution_inputs as i", "i.execution_id", "e.id")
    .select([
      "e.id",
      "e.project_id",
      "e.status",
      "i.execution_id",
      "i.row_count",
      "i.bytes",
      "i.raw_bytes",
      "i.window_start",
      "i.window_end",
      "i.detector_hash",
      "i.not_kept",
      "i.pruned_at",
      "i.created_at",
    ])
    .select((eb) => eb("i.rows_gz", "is not", null).as("has_rows"))
    .where("e.id", "=", executionId)
    .executeTakeFirst();
  if (row === undefined) {
    return undefined;
  }
  if (
    row.execution_id === null &&
    ["pending", "running"].includes(row.status)
  ) {
    return {
      projectId: row.project_id,
      kept: false,
      reason: "not_recorded",
      message: `execution ${executionId} is still ${row.status}: its input is stored with its result`,
    };
  }
  if (row.execution_id === null) {
    return {
      projectId: row.project_id,
      kept: false,
      reason: "not_recorded",
      message: `execution ${executionId} has no stored input: inputs were off (EXECUTION_INPUTS) or the run ended before its rows were loaded`,
    };
  }
  if (row.has_rows && row.window_start && row.window_end && row.created_at) {
    return {
      projectId: row.project_id,
      kept: true,
      rowCount: row.row_count ?? 0,
      bytes: row.bytes ?? 0,
      rawBytes: row.raw_bytes ?? 0,
      window: { start: row.window_start, end: row.window_end },
      detectorHash: row.detector_hash,
      createdAt: row.created_at,
    };
  }
  const reason = row.not_kept ?? "not_recorded";
  return {
    projectId: row.project_id,
    kept: false,
    reason,
    message: notKeptMessage(executionId, reason, row),
  };
}

function notKeptMessage(
  executionId: number,
  reason: InputNotKept | "not_recorded",
  row: { bytes: number | null; pruned_at: Date | null },
): string {
  const when = row.pruned_at ? ` on ${row.pruned_at.toISOString()}` : "";
  switch (reason) {
    case "too_large":
      return `the input of execution ${executionId} was not kept: ${row.bytes ?? 0} bytes compressed, above EXECUTION_INPUT_MAX_BYTES`;
    case "pruned_age":
      return `the input of execution ${executionId} was pruned${when}: older than EXECUTION_INPUT_RETENTION_DAYS`;
    case "pruned_total":
      return `the input of execution ${executionId} was pruned${when}: the oldest beyond EXECUTION_INPUT_TOTAL_MB`;
    case "not_recorded":
      return `execution ${executionId} has no stored input`;
  }
}
