import type { Db, DbTransaction } from "@vigil/db";

/** Runs `fn` in `db` when it already is a transaction (an audited write), else in a new one. */
export function inTransaction<T>(
  db: Db,
  fn: (trx: DbTransaction) => Promise<T>,
): Promise<T> {
  return db.isTransaction
    ? fn(db as DbTransaction)
    : db.transaction().execute(fn);
}
