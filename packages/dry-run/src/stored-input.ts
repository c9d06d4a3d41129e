import type { Db } from "@vigil/db";

/** A past execution's input, as the executor loaded it. */
export type StoredInput =
  | { found: true; rows: unknown[]; window: { start: Date; end: Date } }
  | { found: false; reason: string };

/**
 * The stored input of a past execution of the project, to run again. No execution input is kept
 * in the database this package reads, so every id is answered as not found, with the reason.
 */
export function loadStoredInput(
  _db: Db,
  o: { projectId: string; executionId: number },
): Promise<StoredInput> {
  return Promise.resolve({
    found: false,
    reason: `no stored input exists for execution ${o.executionId} of project ${o.projectId}`,
  });
}
