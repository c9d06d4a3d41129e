import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface TransactionAges {
  /**
   * Seconds the oldest open transaction on this database has been running (0: none but
   * this query's own). A long one holds back vacuum on every table.
   */
  oldest_transaction_seconds: number;
  /** Its backend's application_name and state, to find who holds it (null: none). */
  oldest_transaction_application: string | null;
  oldest_transaction_state: string | null;
  /**
   * Transactions since the database's oldest unfrozen xid (age(datfrozenxid)): the
   * wraparound margin; anti-wraparound vacuums start at autovacuum_freeze_max_age.
   */
  frozen_xid_age: number;
}

/**
 * The oldest open transaction of the current database (pg_stat_activity, this backend
 * excluded) and the database's frozen-xid age, in one statement. Another role's backends
 * are listed with their xact_start unless the role lacks pg_read_all_stats.
 */
export async function getTransactionAges(db: Db): Promise<TransactionAges> {
  const { rows } = await sql<{
    oldest_transaction_seconds: string | null;
    oldest_transaction_application: string | null;
    oldest_transaction_state: string | null;
    frozen_xid_age: string;
  }>`
    select extract(epoch from now() - oldest.xact_start) as oldest_transaction_seconds,
           oldest.application_name as oldest_transaction_application,
           oldest.state as oldest_transaction_state,
           (select age(datfrozenxid) from pg_database where datname = current_database())
             as frozen_xid_age
      from (select 1) as one
      left join lateral (
        select xact_start, application_name, state
          from pg_stat_activity
         where datname = current_database()
           and xact_start is not null
           and pid <> pg_backend_pid()
         order by xact_start
         limit 1
      ) as oldest on true`.execute(db);
  const r = rows[0];
  return {
    oldest_transaction_seconds: Math.max(
      0,
      Number(r?.oldest_transaction_seconds ?? 0),
    ),
    oldest_transaction_application: r?.oldest_transaction_application ?? null,
    oldest_transaction_state: r?.oldest_transaction_state ?? null,
    frozen_xid_age: Number(r?.frozen_xid_age ?? 0),
  };
}
