import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";
import {
  updateDiscrepancies,
  type DiscrepancyTransition,
  type UpdateDiscrepanciesOptions,
} from "./update.js";

/** Carries the transitions out of a transaction that must not commit. */
class PlannedRollback extends Error {
  readonly transitions: DiscrepancyTransition[];
  constructor(transitions: DiscrepancyTransition[]) {
    super("dry run: rolled back on purpose");
    this.transitions = transitions;
  }
}

/**
 * What `updateDiscrepancies` would do for a run, without doing it: the executor's own statement,
 * in a transaction that is always rolled back, so the plan cannot drift from what a real run
 * records. `executionId` is not checked against `executions` (no foreign key on these columns),
 * so a dry run passes one no execution has. Sequences the statement draws from advance, as they
 * do for any rolled-back insert; no row stays.
 */
export async function planDiscrepancyUpdate(
  db: Db,
  o: UpdateDiscrepanciesOptions,
): Promise<DiscrepancyTransition[]> {
  if (db.isTransaction) {
    // its rollback would take the caller's writes with it
    throw new Error("planDiscrepancyUpdate needs the pool, not a transaction");
  }
  try {
    // a deadlock with a run recording the same discrepancies is tried again, as writes are
    await inTransaction(db, async (trx) => {
      throw new PlannedRollback(await updateDiscrepancies(trx, o));
    });
  } catch (err) {
    if (err instanceof PlannedRollback) {
      return err.transitions;
    }
    throw err;
  }
  throw new Error("the planning transaction committed");
}
