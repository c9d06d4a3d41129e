import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";

export interface AdvanceBackfillOptions {
  id: number;
  nextWindow: number;
  /** Windows passed over because a trigger for them was already there. */
  existingAdded: number;
  /** The cursor is at the end and no trigger of it is unfinished. */
  done: boolean;
}

/** Moves a locked backfill's cursor (lockRunningBackfill), and marks it done when asked. */
export async function advanceBackfill(
  trx: Transaction<Database>,
  o: AdvanceBackfillOptions,
): Promise<void> {
  await trx
    .updateTable("backfills")
    .set({
      next_window: o.nextWindow,
      existing: sql<number>`existing + ${o.existingAdded}::int`,
      updated_at: sql<Date>`now()`,
      ...(o.done && {
        status: "done" as const,
        finished_at: sql<Date>`now()`,
      }),
    })
    .where("id", "=", o.id)
    .where("status", "=", "running")
    .execute();
}
