/** Gives the event loop (and, with `ms`, the database) room between two batches. */
export function pauseBetweenBatches(ms: number): Promise<void> {
  return new Promise((resolve) =>
    ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve),
  );
}

/**
 * Runs `deleteBatch` (one short statement deleting at most `limit` rows) until a batch
 * comes back short or `signal` aborts, pausing between batches; returns the rows deleted.
 * Each batch commits on its own, so an abort or an error keeps what was already done.
 */
export async function drainBatches(
  deleteBatch: () => Promise<number>,
  {
    limit,
    pauseMs,
    signal,
  }: { limit: number; pauseMs: number; signal: AbortSignal },
): Promise<number> {
  let total = 0;
  while (!signal.aborted) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < limit) {
      break;
    }
    await pauseBetweenBatches(pauseMs);
  }
  return total;
}
