import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import type { BackfillWindow } from "./next-windows.js";

export interface InsertBackfillTriggersOptions {
  backfillId: number;
  projectId: string;
  requestedBy: string | null;
  windows: readonly BackfillWindow[];
}

/**
 * One `backfill` trigger per window, due now (database clock), with the project's
 * max_attempts. A window another backfill made meanwhile is skipped by the unique index
 * (triggers_backfill_window_key), not an error. Returns how many were made; the insert's
 * statement trigger NOTIFYs the executors.
 */
export async function insertBackfillTriggers(
  trx: Transaction<Database>,
  o: InsertBackfillTriggersOptions,
): Promise<number> {
  if (o.windows.length === 0) {
    return 0;
  }
  const windows = JSON.stringify(
    o.windows.map((w) => ({
      start: w.window_start.toISOString(),
      end: w.window_end.toISOString(),
    })),
  );
  const { rows } = await sql<{ id: number }>`
    insert into triggers (project_id, fire_at, available_at, source, max_attempts,
                          window_start, window_end, requested_by, backfill_id)
    select p.id, now(), now(), 'backfill', p.max_attempts,
           (w ->> 'start')::timestamptz, (w ->> 'end')::timestamptz, ${o.requestedBy}, ${o.backfillId}
    from projects p, jsonb_array_elements(${windows}::jsonb) with ordinality as x(w, ord)
    where p.id = ${o.projectId}
    order by x.ord
    on conflict (project_id, window_start, window_end)
      where source = 'backfill' and status <> 'cancelled' do nothing
    returning id`.execute(trx);
  return rows.length;
}
