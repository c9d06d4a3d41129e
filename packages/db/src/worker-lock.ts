import pg from "pg";

/**
 * The first key of every worker's session advisory lock `(WORKER_LOCK_CLASS, hashtext(worker id))`.
 * The two-key form keeps it apart from the single-key leader locks of advisory-lock.ts
 * (pg_locks shows it with objsubid 2). packages/db/src/queries/triggers/rescue.ts reads it.
 */
export const WORKER_LOCK_CLASS = 73_003;

/**
 * How long this worker must have held its own lock before it judges others by theirs. After a
 * PostgreSQL restart or a failover every lock is gone at once and each worker takes its own back
 * within a reconnect or two; a worker that just reconnected waits this long so it does not take
 * the runs of workers that are still reconnecting.
 */
export const WORKER_LOCK_SETTLE_MS = 3_000;

/**
 * Server-side TCP keepalive of the lock's session (seconds): a host that vanishes without closing
 * its connection (power loss, partition) frees its lock after about idle + interval x count.
 */
const SERVER_KEEPALIVE = { idle: 5, interval: 2, count: 3 } as const;

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2_000;

export interface WorkerLockOptions {
  connectionString: string;
  workerId: string;
  /** Called with the lock held (again): e.g. to mark the worker row as holding it. */
  onAcquired?: () => void;
  /** Called once per loss (connection error or end); the lock is taken again in the background. */
  onLost?: (err: Error) => void;
  onError?: (err: Error) => void;
}

export interface WorkerLock {
  /** True while the session that holds the lock is alive. */
  readonly held: boolean;
  /** Milliseconds the lock has been held without a break (0 while not held). */
  heldForMs(): number;
  /** Takes the lock; resolves once held. Retries a failed connection until `release`. */
  acquire(): Promise<void>;
  /** Frees the lock and closes its session; no reconnect after this. */
  release(): Promise<void>;
}

/**
 * Holds a session-level advisory lock named after this worker on a dedicated connection (never the
 * pool, which may be a transaction-pooling proxy). While the process lives and its session stays
 * open PostgreSQL keeps the lock; a kill -9, an OOM kill or a closed connection frees it at once,
 * which is how other executors know this worker's runs are lost without waiting for a lease.
 */
export function createWorkerLock(o: WorkerLockOptions): WorkerLock {
  let client: pg.Client | undefined;
  let heldSince: number | null = null;
  let released = false;
  let reconnecting: Promise<void> | undefined;

  const connectOnce = async (): Promise<void> => {
    const c = new pg.Client({
      connectionString: o.connectionString,
      // the client side notices a vanished server within seconds too
      keepAlive: true,
      keepAliveInitialDelayMillis: 1_000,
      application_name: `vigil worker lock ${o.workerId}`.slice(0, 63),
    });
    let lostReported = false;
    const lost = (err: Error) => {
      if (lostReported || client !== c) {
        return;
      }
      lostReported = true;
      heldSince = null;
      client = undefined;
      c.end().catch(() => undefined);
      if (!released) {
        o.onLost?.(err);
        void reconnect();
      }
    };
    c.on("error", lost);
    c.on("end", () => lost(new Error("worker lock connection ended")));
    await c.connect();
    try {
      await c.query(
        `SET tcp_keepalives_idle = ${SERVER_KEEPALIVE.idle};
         SET tcp_keepalives_interval = ${SERVER_KEEPALIVE.interval};
         SET tcp_keepalives_count = ${SERVER_KEEPALIVE.count}`,
      );
      const { rows } = await c.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked",
        [WORKER_LOCK_CLASS, o.workerId],
      );
      if (rows[0]?.locked !== true) {
        // worker ids carry a random suffix: another holder is this id's previous session, not
        // yet gone (a reconnect racing the server's cleanup of the old backend)
        throw new Error(
          `worker lock of ${o.workerId} is held by another session`,
        );
      }
    } catch (err) {
      client = undefined;
      await c.end().catch(() => undefined);
      throw err;
    }
    if (released) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    heldSince = Date.now();
    o.onAcquired?.();
  };

  const reconnect = (): Promise<void> => {
    reconnecting ??= (async () => {
      let delay = RECONNECT_MIN_MS;
      while (!released && client === undefined) {
        try {
          await connectOnce();
        } catch (err) {
          o.onError?.(err as Error);
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        }
      }
    })().finally(() => {
      reconnecting = undefined;
    });
    return reconnecting;
  };

  return {
    get held() {
      return heldSince !== null;
    },
    heldForMs: () => (heldSince === null ? 0 : Date.now() - heldSince),
    acquire: () => reconnect(),
    async release() {
      released = true;
      await reconnecting?.catch(() => undefined);
      const c = client;
      client = undefined;
      heldSince = null;
      if (c) {
        await c
          .query("SELECT pg_advisory_unlock($1::int, hashtext($2))", [
            WORKER_LOCK_CLASS,
            o.workerId,
          ])
          .catch(() => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}
