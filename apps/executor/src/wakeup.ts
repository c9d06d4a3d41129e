import {
  CHANNELS,
  listenForNotifications,
  type Channel,
  type Listener,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

export interface WakeupOptions {
  connectionString: string;
  /** Fallback poll: the longest the loop sleeps, so a lost NOTIFY delays work by at most this. */
  pollIntervalMs: number;
  logger: Logger;
  /** What to LISTEN on. @default the triggers' channel */
  channels?: Channel[];
}

export interface WaitOptions {
  /** Sleep at most this long (e.g. until the next known available_at); null: the poll interval. */
  untilMs: number | null;
  signal?: AbortSignal;
}

export interface Wakeup {
  start(): void;
  stop(): Promise<void>;
  /** Wakes the loop now (a slot was released, a reconnect happened). Not lost if nobody waits yet. */
  kick(): void;
  /** Resolves on a NOTIFY, a kick, the timer (min(untilMs, poll)) or the signal: whichever comes first. */
  wait(options: WaitOptions): Promise<"notified" | "timer" | "aborted">;
}

/**
 * The claim loop's sleep. Three sources, as the README's lock protocol says: LISTEN on
 * `vigil_triggers` (a hint that rows were inserted), a timer to the next known available_at
 * (so a trigger due at T starts at T on an idle pool, not at the next poll), and the poll.
 */
export function createWakeup({
  connectionString,
  pollIntervalMs,
  logger,
  channels = [CHANNELS.triggers],
}: WakeupOptions): Wakeup {
  const log = logger.child({ component: "wakeup" });
  let listener: Listener | undefined;
  let pending = false;
  let wake: ((why: "notified") => void) | undefined;

  const kick = () => {
    if (wake) {
      const w = wake;
      wake = undefined;
      w("notified");
    } else {
      pending = true;
    }
  };

  return {
    start() {
      listener = listenForNotifications({
        connectionString,
        channels,
        onNotify: kick,
        // after a (re)connect, notifications may have been missed: look again
        onConnected: kick,
        onError: (err) =>
          log.warn({ err }, "listen connection lost; reconnecting"),
      });
    },
    async stop() {
      await listener?.stop();
    },
    kick,
    wait({ untilMs, signal }) {
      if (pending) {
        pending = false;
        return Promise.resolve("notified");
      }
      if (signal?.aborted) {
        return Promise.resolve("aborted");
      }
      const ms = Math.max(
        0,
        Math.min(untilMs ?? pollIntervalMs, pollIntervalMs),
      );
      return new Promise((resolve) => {
        const done = (why: "notified" | "timer" | "aborted") => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (wake === onWake) {
            wake = undefined;
          }
          resolve(why);
        };
        const onWake = () => done("notified");
        const onAbort = () => done("aborted");
        const timer = setTimeout(() => done("timer"), ms);
        wake = onWake;
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}
