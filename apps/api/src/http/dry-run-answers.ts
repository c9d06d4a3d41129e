import {
  CHANNELS,
  deleteDryRunRequest,
  listenForNotifications,
  takeDryRunAnswer,
  type Db,
  type JsonValue,
  type Listener,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

/** How often a waiter reads its row when no NOTIFY came: a lost one delays an answer this long. */
const POLL_MS = 500;

export type DryRunWait =
  | { kind: "answered"; answer: JsonValue }
  /** The wait ended first; who held the request then (null: nobody took it). */
  | { kind: "expired"; workerId: string | null }
  | { kind: "aborted" };

export interface DryRunAnswers {
  /**
   * Resolves once the answer of the request just inserted is written, the wait is over or
   * `signal` aborts. The request's row is gone when it resolves: taken with its answer, or
   * withdrawn (a running one is stopped by its executor's next lease renewal).
   */
  wait(id: number, o: { ms: number; signal: AbortSignal }): Promise<DryRunWait>;
  close(): Promise<void>;
}

/**
 * The API's wait for the executors' dry-run answers: one LISTEN connection for the process
 * (opened at the first wait, when a connection string is given) on `vigil_dry_run_answers`,
 * whose payload names the answered request, and a poll of each waiter's row beside it.
 */
export function createDryRunAnswers(o: {
  db: Db;
  connectionString: string | undefined;
  logger: Logger;
}): DryRunAnswers {
  const wakers = new Map<number, Set<() => void>>();
  let listener: Listener | undefined;
  const wakeAll = () => {
    for (const set of wakers.values()) {
      for (const wake of set) {
        wake();
      }
    }
  };
  const listen = () => {
    if (listener !== undefined || o.connectionString === undefined) {
      return;
    }
    listener = listenForNotifications({
      connectionString: o.connectionString,
      channels: [CHANNELS.dryRunAnswers],
      onNotify: (_channel, payload) => {
        for (const wake of wakers.get(Number(payload)) ?? []) {
          wake();
        }
      },
      // answers written while it was down were missed: every waiter reads its row again
      onConnected: wakeAll,
      onError: (err) =>
        o.logger.warn({ err }, "dry-run answer listener lost; reconnecting"),
    });
  };
  const sleep = (
    ms: number,
    signal: AbortSignal,
    onWake: (w: () => void) => void,
  ) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        onWake(() => undefined);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      onWake(done);
    });
  return {
    async wait(id, { ms, signal }) {
      listen();
      const deadline = Date.now() + ms;
      let wake: () => void = () => undefined;
      const set = wakers.get(id) ?? new Set();
      wakers.set(id, set);
      const waker = () => wake();
      set.add(waker);
      let taken = false;
      try {
        for (;;) {
          // just inserted, or not answered at the last look: wait for the NOTIFY or the poll
          await sleep(
            Math.max(1, Math.min(POLL_MS, deadline - Date.now())),
            signal,
            (w) => {
              wake = w;
            },
          );
          if (signal.aborted) {
            return { kind: "aborted" };
          }
          const answer = await takeDryRunAnswer(o.db, id);
          if (answer !== undefined) {
            taken = true;
            return { kind: "answered", answer };
          }
          if (Date.now() >= deadline) {
            // withdrawn here rather than in finally, to say who held it
            taken = true;
            const last = await deleteDryRunRequest(o.db, id);
            return { kind: "expired", workerId: last?.workerId ?? null };
          }
        }
      } finally {
        set.delete(waker);
        if (set.size === 0) {
          wakers.delete(id);
        }
        if (!taken) {
          // the client went away or the database failed: nobody reads it any more
          await deleteDryRunRequest(o.db, id).catch(() => undefined);
        }
      }
    },
    async close() {
      await listener?.stop();
      listener = undefined;
    },
  };
}
