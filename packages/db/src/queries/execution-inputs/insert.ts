import type { DbTransaction } from "../../pool.js";
import type { NewExecutionInput } from "../../tables/execution-inputs.js";

/**
 * Stores the inputs of runs just recorded. Call it inside the record transaction, after
 * `finishRun`/`finishRuns` said the run was recorded: their fence already holds the trigger and
 * execution rows until commit, so an input is written exactly when its run's record is.
 */
export async function insertExecutionInputs(
  trx: DbTransaction,
  rows: readonly NewExecutionInput[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await trx
    .insertInto("execution_inputs")
    .values([...rows])
    .onConflict((oc) => oc.column("execution_id").doNothing())
    .execute();
}
