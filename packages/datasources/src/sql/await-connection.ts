import { LoadAbort } from "../result.js";

/**
 * Waits for a pooled connection until `abandon` is called (the load's timeout or cancel). A
 * connection that arrives after the load gave up goes back to its pool unused.
 */
export async function awaitConnection<C extends { release(): void }>(
  acquired: Promise<C>,
  onAbandon: (abandon: (reason: Error) => void) => void,
  database: string,
): Promise<C> {
  try {
    return await Promise.race([
      acquired,
      new Promise<never>((_, reject) => onAbandon(reject)),
    ]);
  } catch (error) {
    void acquired.then(
      (late) => late.release(),
      () => undefined,
    );
    throw new LoadAbort(
      "connect",
      `could not connect to ${database}: ${(error as Error).message}`,
    );
  }
}
