import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface TableHealth {
  table: string;
  /** Heap, indexes and TOAST together (pg_total_relation_size). */
  total_bytes: number;
  /** Its indexes alone (pg_indexes_size). */
  index_bytes: number;
  live_tuples: number;
  dead_tuples: number;
  last_autovacuum: Date | null;
  /** Seconds since last_autovacuum by the database clock (null: never autovacuumed). */
  last_autovacuum_age_seconds: number | null;
  last_autoanalyze: Date | null;
  last_vacuum: Date | null;
  last_analyze: Date | null;
}

/**
 * Size, tuple counts and vacuum times of every table in Vigil's schema (the connection's
 * current schema, so a demo or source schema in the same database is left out). The tuple
 * counts and times are the statistics system's, which backends flush about once a second:
 * they trail the tables by that much. Sizes cost one stat() per relation file, so this is
 * cheap for Vigil's few dozen tables whatever their row counts.
 */
export async function listTableHealth(db: Db): Promise<TableHealth[]> {
  const { rows } = await sql<{
    table: string;
    total_bytes: string;
    index_bytes: string;
    live_tuples: string;
    dead_tuples: string;
    last_autovacuum: Date | null;
    last_autovacuum_age_seconds: string | null;
    last_autoanalyze: Date | null;
    last_vacuum: Date | null;
    last_analyze: Date | null;
  }>`
    select relname::text as "table",
           pg_total_relation_size(relid) as total_bytes,
           pg_indexes_size(relid) as index_bytes,
           n_live_tup as live_tuples,
           n_dead_tup as dead_tuples,
           last_autovacuum,
           extract(epoch from now() - last_autovacuum) as last_autovacuum_age_seconds,
           last_autoanalyze, last_vacuum, last_analyze
      from pg_stat_user_tables
     where schemaname = current_schema()
     order by relname`.execute(db);
  return rows.map((r) => ({
    ...r,
    total_bytes: Number(r.total_bytes),
    index_bytes: Number(r.index_bytes),
    live_tuples: Number(r.live_tuples),
    dead_tuples: Number(r.dead_tuples),
    last_autovacuum_age_seconds:
      r.last_autovacuum_age_seconds === null
        ? null
        : Math.max(0, Number(r.last_autovacuum_age_seconds)),
  }));
}
