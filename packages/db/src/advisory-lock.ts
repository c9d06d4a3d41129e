import type pg from "pg";

/** Well-known advisory lock keys (one int8 space for the whole product). */
export const LOCK_KEYS = {
  triggerCreatorLeader: 73_001,
  cleanerLeader: 73_002,
} as const;

export interface LeaderLock {
  /** True while the dedicated connection holding the lock is alive. */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * Tries to take a session-level advisory lock on a dedicated connection (not the pool: a
 * session lock lives as long as its connection). Returns null when another session holds it.
 * If the connection dies, PostgreSQL frees the lock and `held` turns false, and `onLost` runs.
 */
export async function tryLeaderLock(
  pool: pg.Pool,
  key: number,
  onLost: (err?: Error) => void,
): Promise<LeaderLock | null> {
  const client = await pool.connect();
  let held = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1::bigint) AS locked",
      [key],
    );
    held = rows[0]?.locked === true;
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  if (!held) {
    client.release();
    return null;
  }
  let released = false;
  const releaseClient = (err?: Error) => {
    if (!released) {
      released = true;
      // a broken connection goes back with its error, so the pool destroys it
      client.release(err);
    }
  };
  const lost = (err?: Error) => {
    if (!held) {
      return;
    }
    held = false;
    releaseClient(err ?? new Error("advisory lock connection ended"));
    onLost(err);
  };
  client.on("error", lost);
  client.on("end", () => lost());
  return {
    get held() {
      return held;
    },
    async release() {
      if (!held) {
        return;
      }
      held = false;
      client.off("error", lost);
      try {
        await client.query("SELECT pg_advisory_unlock($1::bigint)", [key]);
        releaseClient();
      } catch (err) {
        releaseClient(err as Error);
      }
    },
  };
}
