export interface WaitForOptions {
  /** @default 10_000 */
  timeoutMs?: number;
  /** @default 50 */
  intervalMs?: number;
  /** Shown when the wait times out. */
  message?: string;
}

/** Polls until `check` returns a truthy value (returned), or throws after the timeout. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) {
        return value;
      }
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why =
        lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(
        `timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${options.message ?? "a condition"}${why}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}
