import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import type { BackfillRow } from "../../tables/backfills.js";

export interface BackfillWindow {
  /** 0-based position of the window in the range. */
  n: number;
  window_start: Date;
  window_end: Date;
}

/**
 * The next windows at or after the cursor that no live `backfill` trigger of the project
 * covers yet (triggers_backfill_window_key), in range order, at most `limit`. Window n is
 * [range_start + n * step, + step), the last one cut at range_end.
 */
export async function findNextBackfillWindows(
  trx: Transaction<Database>,
  b: Pick<
    BackfillRow,
    | "project_id"
    | "range_start"
    | "range_end"
    | "step_ms"
    | "total"
    | "next_window"
  >,
  limit: number,
): Promise<BackfillWindow[]> {
  const { rows } = await sql<BackfillWindow>`
    select w.n, w.window_start, w.window_end
    from (
      select n,
             ${b.range_start}::timestamptz + (n * ${b.step_ms}::bigint) * interval '1 millisecond' as window_start,
             least(${b.range_start}::timestamptz + ((n + 1) * ${b.step_ms}::bigint) * interval '1 millisecond',
                   ${b.range_end}::timestamptz) as window_end
      from generate_series(${b.next_window}::int, ${b.total}::int - 1) as n
    ) w
    where not exists (
      select 1 from triggers t
      where t.project_id = ${b.project_id} and t.source = 'backfill' and t.status <> 'cancelled'
        and t.window_start = w.window_start and t.window_end = w.window_end
    )
    order by w.n
    limit ${limit}`.execute(trx);
  return rows;
}
