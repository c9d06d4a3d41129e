import type { Logger } from "@vigil/logger";
import { coerceError } from "@vigil/logger";

import { onSupervisorGone } from "./supervisor-lifeline.js";

export interface Service {
  /** Graceful stop: finish or hand back in-flight work. `force` is set on a second signal. */
  stop(options: { force: boolean }): Promise<void>;
}

export interface RunServiceOptions {
  logger: Logger;
  /** Starts the service; resolves once it is running. */
  start: () => Promise<Service>;
  /** Hard limit for a graceful stop before the process exits anyway. @default 60_000 */
  stopTimeoutMs?: number;
}

/**
 * The shared shape of every app's main: start, then turn the first SIGTERM/SIGINT into a
 * graceful stop and a second one into a forced stop, and exit 0 when stopped. When started
 * by `vigil start` (VIGIL_SUPERVISED=1), the end of stdin means the supervisor is gone
 * (even if it was killed with SIGKILL), and the service stops as if it got SIGTERM.
 * Uncaught errors are logged once; the process then exits 1 rather than run in an unknown state.
 */
export async function runService(options: RunServiceOptions): Promise<void> {
  const { logger } = options;
  process.on("uncaughtException", (err) => {
    logger.fatal({ err: coerceError(err) }, "uncaught exception");
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.fatal({ err: coerceError(reason) }, "unhandled rejection");
    process.exit(1);
  });

  let service: Service;
  try {
    service = await options.start();
  } catch (err) {
    logger.fatal({ err: coerceError(err) }, "failed to start");
    process.exit(1);
  }

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    if (stopping) {
      logger.warn({ reason }, "second stop request: forcing");
      void service.stop({ force: true }).finally(() => process.exit(0));
      return;
    }
    logger.info({ reason }, "stopping");
    const timer = setTimeout(() => {
      logger.error(
        { timeoutMs: options.stopTimeoutMs ?? 60_000 },
        "graceful stop took too long: exiting",
      );
      process.exit(1);
    }, options.stopTimeoutMs ?? 60_000);
    timer.unref();
    stopping = service
      .stop({ force: false })
      .then(() => {
        logger.info("stopped");
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err: coerceError(err) }, "error while stopping");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  onSupervisorGone(() => stop("supervisor gone"));
}
