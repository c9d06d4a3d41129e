import { describeExecutionInput, getExecutionInput, type Db } from "@vigil/db";

/** A past execution's input, as the executor loaded it. */
export type StoredInput =
  | { found: true; rows: unknown[]; window: { start: Date; end: Date } }
  | { found: false; reason: string };

/**
 * The stored input (`execution_inputs`) of a past execution of the project, to run again: the
 * rows and window a replay of it would run on. An execution of another project is answered as
 * unknown, so a dry run cannot read another project's rows through its id.
 */
export async function loadStoredInput(
  db: Db,
  o: { projectId: string; executionId: number },
): Promise<StoredInput> {
  const input = await getExecutionInput(db, String(o.executionId));
  if (input !== null && input.projectId === o.projectId) {
    return { found: true, rows: input.rows, window: input.window };
  }
  const unknown = {
    found: false as const,
    reason: `project ${o.projectId} has no execution ${o.executionId}`,
  };
  if (input !== null) {
    return unknown;
  }
  const state = await describeExecutionInput(db, o.executionId);
  if (state === undefined || state.projectId !== o.projectId || state.kept) {
    return unknown;
  }
  return { found: false, reason: state.message };
}
