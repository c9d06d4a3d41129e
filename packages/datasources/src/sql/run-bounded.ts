import { LoadAbort } from "../result.js";

const GRACE_MS = 2000;

export interface BoundedRun<T> {
  /** The source's timeout; the guard fires GRACE_MS later, so the server's own timeout reports first. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Breaks the work off (closes the connection); the pending work then rejects. */
  onInterrupt: () => void;
  work: () => Promise<T>;
}

/**
 * Runs `work` with a wall-clock bound and the caller's signal. The server-side
 * statement timeout is the first line; this catches what it cannot (a stalled network,
 * a slow connect). An interrupted run ends with `timeout` or `cancelled`, whatever
 * error the broken-off driver reports.
 */
export async function runBounded<T>({
  timeoutMs,
  signal,
  onInterrupt,
  work,
}: BoundedRun<T>): Promise<T> {
  let reason: LoadAbort | null = null;
  const interrupt = (why: LoadAbort) => {
    if (reason === null) {
      reason = why;
      onInterrupt();
    }
  };
  const timer = setTimeout(
    () =>
      interrupt(
        new LoadAbort(
          "timeout",
          `loading took longer than timeout_seconds=${timeoutMs / 1000}`,
        ),
      ),
    timeoutMs + GRACE_MS,
  );
  const onAbort = () =>
    interrupt(new LoadAbort("cancelled", "loading was cancelled"));
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) {
    onAbort();
  }
  try {
    const result = await work();
    // set from the timer or abort callbacks while `work` ran (flow analysis cannot see that)
    const interrupted = reason as LoadAbort | null;
    if (interrupted !== null) {
      throw interrupted;
    }
    return result;
  } catch (error) {
    throw reason ?? error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}
