import type { Db, DbTransaction } from "./pool.js";
import { PG_ERROR } from "./errors.js";

export interface TransactionOptions {
  /** Tries in all, the first included. @default 5 */
  attempts?: number;
  /** Backoff before the second try; doubled each time, with full jitter. @default 10 */
  baseDelayMs?: number;
}

const RETRY_CODES = new Set<string>([
  PG_ERROR.deadlockDetected,
  PG_ERROR.serializationFailure,
]);

/** A deadlock (40P01) or a serialization failure (40001): PostgreSQL rolled the whole transaction back, so running it again is safe. */
export function isTransactionConflict(err: unknown): boolean {
  return (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    typeof err.code === "string" &&
    RETRY_CODES.has(err.code)
  );
}

/**
 * Runs `fn` in one transaction and runs it again, from the start, when PostgreSQL aborts it
 * as a deadlock victim or a serialization failure: those are decided by timing, not by the
 * data, and a retry is what PostgreSQL's documentation asks of the client. `fn` must therefore
 * do nothing outside the database that it cannot repeat. Other errors are thrown at once.
 * Called with a transaction already open, `fn` runs in it and the caller's retry applies.
 */
export async function inTransaction<T>(
  db: Db,
  fn: (trx: DbTransaction) => Promise<T>,
  { attempts = 5, baseDelayMs = 10 }: TransactionOptions = {},
): Promise<T> {
  if (db.isTransaction) {
    return fn(db as DbTransaction);
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      if (attempt >= attempts || !isTransactionConflict(err)) {
        throw err;
      }
      const ceiling = baseDelayMs * 2 ** (attempt - 1);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * ceiling),
      );
    }
  }
}
