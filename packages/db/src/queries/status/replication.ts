import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface ReplicaLag {
  /** The standby's application_name (its primary_conninfo's, else its cluster name). */
  name: string;
  client_addr: string | null;
  /** startup, catchup, streaming, backup or stopping. */
  state: string;
  /**
   * Seconds between a commit on the primary and its replay on the standby; 0 once it has
   * caught up and no WAL is flowing (PostgreSQL then reports no lag at all).
   */
  replay_lag_seconds: number;
  /** WAL the primary has written that the standby has not replayed yet (null: unknown). */
  replay_lag_bytes: number | null;
}

/**
 * The streaming standbys of the primary this connection is on (pg_stat_replication; empty
 * on a standby or with none). Without superuser or pg_read_all_stats PostgreSQL hides
 * the positions, so the byte lag is null then.
 */
export async function listReplicaLag(db: Db): Promise<ReplicaLag[]> {
  const { rows } = await sql<{
    name: string;
    client_addr: string | null;
    state: string | null;
    replay_lag_seconds: string | null;
    replay_lag_bytes: string | null;
  }>`
    select application_name as name,
           host(client_addr) as client_addr,
           state,
           extract(epoch from replay_lag) as replay_lag_seconds,
           case when pg_is_in_recovery() or replay_lsn is null then null
                else pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) end as replay_lag_bytes
      from pg_stat_replication
     order by application_name, pid`.execute(db);
  return rows.map((r) => ({
    name: r.name,
    client_addr: r.client_addr,
    state: r.state ?? "unknown",
    replay_lag_seconds: Math.max(0, Number(r.replay_lag_seconds ?? 0)),
    replay_lag_bytes:
      r.replay_lag_bytes === null ? null : Number(r.replay_lag_bytes),
  }));
}
