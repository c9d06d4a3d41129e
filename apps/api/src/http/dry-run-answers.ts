import {
  CHANNELS,
  getDryRunRequest,
  listenForNotifications,
  type Db,
  type DryRunRequestState,
  type Listener,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

/** How often a waiter reads its row when no NOTIFY came: a lost one delays an answer this long. */
const POLL_MS = 500;

export type DryRunWait =
  | { kind: "answered"; state: DryRunRequestState }
  /** The wait ended first; the row's last state (undefined when it is gone). */
  | { kind: "expired"; state: DryRunRequestState | undefined }
  | { kind: "aborted" };

export interface DryRunAnswers {
  /** Resolves once the request's answer is written, the wait is over or `signal` aborts. */
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
  return {
    async wait(id, { ms, signal }) {
      listen();
      const deadline = Date.now() + ms;
      let wake: () => void = () => undefined;
      const set = wakers.get(id) ?? new Set();
      wakers.set(id, set);
      const waker = () => wake();
      set.add(waker);
      try {
        for (;;) {
          const state = await getDryRunRequest(o.db, id);
          if (state?.status === "done") {
            return { kind: "answered", state };
          }
          const left = deadline - Date.now();
          if (left <= 0 || state === undefined) {
            return { kind: "expired", state };
          }
          if (signal.aborted) {
            return { kind: "aborted" };
          }
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              signal.removeEventListener("abort", done);
              wake = () => undefined;
              resolve();
            };
            const timer = setTimeout(done, Math.min(POLL_MS, left));
            signal.addEventListener("abort", done, { once: true });
            wake = done;
          });
        }
      } finally {
        set.delete(waker);
        if (set.size === 0) {
          wakers.delete(id);
        }
      }
    },
    async close() {
      await listener?.stop();
      listener = undefined;
    },
  };
}
