export interface Wakeup {
  /** Wakes the current (or, if none, the next) wait: there may be work. */
  notify(): void;
  /** Resolves after `ms`, on notify(), or when `signal` aborts, whichever comes first. */
  wait(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * A level-triggered wake-up: a notify() that arrives while a pass runs is kept and ends the
 * next wait at once, so a schedule change made mid-pass is never left for the poll interval.
 */
export function createWakeup(): Wakeup {
  let pending = false;
  let wake: (() => void) | undefined;
  return {
    notify() {
      pending = true;
      wake?.();
    },
    wait(ms, signal) {
      if (pending || signal.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = undefined;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, { once: true });
        wake = done;
      });
    },
  };
}
