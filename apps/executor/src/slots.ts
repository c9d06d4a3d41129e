/**
 * The executor's local capacity: `total` runs at once (EXECUTOR_CONCURRENCY). The per-project
 * limit is not here: it must hold across replicas, so the claim enforces it in the database.
 */
export interface Slots {
  readonly total: number;
  free(): number;
  running(): number;
  take(): void;
  release(): void;
  /** Resolves when every slot is free, or when the signal aborts. */
  drained(signal?: AbortSignal): Promise<void>;
}

export function createSlots(
  total: number,
  onRelease: () => void = () => undefined,
): Slots {
  let used = 0;
  let waiters: (() => void)[] = [];
  return {
    total,
    free: () => total - used,
    running: () => used,
    take() {
      if (used >= total) {
        throw new Error(`no free slot (${used}/${total} in use)`);
      }
      used += 1;
    },
    release() {
      used = Math.max(0, used - 1);
      if (used === 0) {
        const ready = waiters;
        waiters = [];
        ready.forEach((w) => w());
      }
      onRelease();
    },
    drained(signal) {
      if (used === 0 || signal?.aborted) {
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    },
  };
}
