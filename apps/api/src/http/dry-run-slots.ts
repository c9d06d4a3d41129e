import { AppError } from "./app-error.js";

export interface DryRunLimits {
  /** DRY_RUN_CONCURRENCY: dry runs at once in this process. */
  global: number;
  /** DRY_RUN_CONCURRENCY_PER_TOKEN: dry runs one token may have in flight at once. */
  perToken: number;
}

/** A detector run lasts about a second; a retry sooner would meet the same runs. */
const RETRY_AFTER_SECONDS = "1";

export interface DryRunSlots {
  /** Takes a slot for `caller` or throws 429 naming the limit reached; call the result once done. */
  acquire(caller: string): () => void;
}

/**
 * In-process counters of the dry runs in flight, so dry runs cannot take the host's cores from
 * the executors: refused at once (429) rather than queued, since a queued request holds a
 * connection and its body while it waits.
 */
export function createDryRunSlots(limits: DryRunLimits): DryRunSlots {
  let running = 0;
  const byToken = new Map<string, number>();
  const refuse = (variable: string, limit: number, what: string) =>
    new AppError(
      "rate_limited",
      `${what} already ${limit === 1 ? "has a dry run" : `has ${limit} dry runs`} in flight (${variable}=${limit}); retry when it is done`,
      { limit: variable, value: limit },
      { headers: { "Retry-After": RETRY_AFTER_SECONDS } },
    );
  return {
    acquire(caller) {
      const mine = byToken.get(caller) ?? 0;
      if (mine >= limits.perToken) {
        throw refuse(
          "DRY_RUN_CONCURRENCY_PER_TOKEN",
          limits.perToken,
          "this token",
        );
      }
      if (running >= limits.global) {
        throw refuse("DRY_RUN_CONCURRENCY", limits.global, "this API process");
      }
      running++;
      byToken.set(caller, mine + 1);
      let released = false;
      return () => {
        if (released) {
          return;
        }
        released = true;
        running--;
        const left = (byToken.get(caller) ?? 1) - 1;
        if (left <= 0) {
          byToken.delete(caller);
        } else {
          byToken.set(caller, left);
        }
      };
    },
  };
}
