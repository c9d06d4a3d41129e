import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface RecoveryState {
  /** true on a standby (streaming or restoring WAL), false on a primary. */
  in_recovery: boolean;
  /**
   * Seconds since the commit of the last transaction a standby replayed (null on a
   * primary, or before the first replay). It also grows while the primary commits nothing,
   * so it bounds the staleness of reads rather than measuring it.
   */
  last_replay_age_seconds: number | null;
}

/** Whether this connection's server is a standby, and how old its last replayed commit is. */
export async function getRecoveryState(db: Db): Promise<RecoveryState> {
  const { rows } = await sql<{
    in_recovery: boolean;
    last_replay_age_seconds: string | null;
  }>`
    select pg_is_in_recovery() as in_recovery,
           extract(epoch from now() - pg_last_xact_replay_timestamp()) as last_replay_age_seconds`.execute(
    db,
  );
  const r = rows[0];
  const age = r?.last_replay_age_seconds;
  return {
    in_recovery: r?.in_recovery === true,
    last_replay_age_seconds:
      age === null || age === undefined ? null : Math.max(0, Number(age)),
  };
}
