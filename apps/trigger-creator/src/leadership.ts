import {
  createPool,
  tryLeaderLock,
  type DbHandle,
  type LeaderLock,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

type Pool = DbHandle["pool"];

export interface LeadershipOptions {
  connectionString: string;
  lockKey: number;
  /** How often a standby tries the lock. */
  retryMs: number;
  logger: Logger;
}

export interface Leadership {
  /**
   * Waits until this process holds the lock and resolves with the signal of its term, which
   * aborts when the lock is lost. Resolves with null when `stop` aborts first.
   */
  acquire(stop: AbortSignal): Promise<AbortSignal | null>;
  readonly isLeader: boolean;
  /** Releases the lock (if held) and closes the lock connection. */
  close(): Promise<void>;
}

/**
 * Leader election on a PostgreSQL session advisory lock held on a dedicated connection (a
 * pool of one, so the lock never waits behind queries). A standby retries every `retryMs`;
 * when the leader dies, PostgreSQL ends its session and frees the lock, so a standby takes
 * over within about `retryMs`. A leader whose lock connection breaks aborts its term at once:
 * it stops working before a standby can start.
 */
export function createLeadership({
  connectionString,
  lockKey,
  retryMs,
  logger,
}: LeadershipOptions): Leadership {
  const newPool = () =>
    createPool({
      connectionString,
      max: 1,
      applicationName: "vigil-trigger-creator-leader",
    });
  let pool: Pool = newPool();
  let lock: LeaderLock | null = null;
  let term: AbortController | undefined;
  let failures = 0;

  const onLost = (err?: Error) => {
    logger.warn({ err }, "leader lock connection lost; stopping work");
    lock = null;
    term?.abort(new Error("leader lock lost"));
    // The broken client stays checked out of the pool of one; start over with a fresh pool.
    const broken = pool;
    pool = newPool();
    void broken.end().catch(() => undefined);
  };

  const attempt = async (): Promise<LeaderLock | null> => {
    try {
      const taken = await tryLeaderLock(pool, lockKey, onLost);
      failures = 0;
      return taken;
    } catch (raw) {
      failures += 1;
      // The first failure of a streak and then every 20th, not one line per retry while the database is down.
      if (failures === 1 || failures % 20 === 0) {
        logger.error(
          { err: coerceError(raw), failures },
          "cannot try the leader lock; retrying",
        );
      }
      return null;
    }
  };

  return {
    get isLeader() {
      return lock?.held === true;
    },
    async acquire(stop) {
      let announced = false;
      while (!stop.aborted) {
        const taken = await attempt();
        if (taken && stop.aborted) {
          await taken.release();
          break;
        }
        if (taken) {
          lock = taken;
          term = new AbortController();
          logger.info({ lockKey }, "became leader");
          return term.signal;
        }
        if (!announced) {
          logger.info(
            { lockKey, retryMs },
            "standby: another trigger-creator holds the leader lock",
          );
          announced = true;
        }
        await sleep(retryMs, stop);
      }
      return null;
    },
    async close() {
      term?.abort(new Error("stopping"));
      const held = lock;
      lock = null;
      await held?.release();
      await pool.end().catch(() => undefined);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
