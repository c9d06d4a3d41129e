import {
  CHANNELS,
  claimDueReports,
  listenForNotifications,
  msUntilNextReportDue,
  type Db,
  type Listener,
  type ReportOutboxRow,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import { deliverOutboxRow, type DeliverySettings } from "./deliver-row.js";
import { createWakeup } from "./wakeup.js";

export interface DeliveryLoopDeps {
  db: Db;
  logger: Logger;
  workerId: string;
  /** The executor's environment: `target_env` names are looked up here at send time. */
  env: Readonly<Record<string, string | undefined>>;
  settings: DeliverySettings & {
    /** Most deliveries in flight at once (at most one per project and kind). @default 8 */
    concurrency?: number;
    /** Upper bound of a sleep; NOTIFY vigil_outbox wakes the loop sooner. @default 5000 */
    pollIntervalMs?: number;
    /** Outlives one attempt: request timeout plus margin. @default ceil(timeoutMs/1000) + 30 */
    leaseSeconds?: number;
  };
  /** LISTEN for vigil_outbox on this database; unset: polling only. */
  listenConnectionString?: string;
  /** Jitter source. @default Math.random */
  random?: () => number;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface DeliveryLoop {
  /** Starts listening and delivering; resolves at once. */
  start(): Promise<void>;
  /** Stops claiming and waits for in-flight attempts (bounded by the request timeout); `force` aborts them. */
  stop(options?: { force?: boolean }): Promise<void>;
}

/**
 * The outbox delivery loop of one executor: claim due rows (SKIP LOCKED, with a lease),
 * POST each, record the attempt, move the row to delivered / retry / dead. Any number of
 * executors run it at once; the claim keeps each project's reports in order. The loop
 * never dies: a failing iteration is logged once and retried after a pause.
 */
export function createDeliveryLoop(deps: DeliveryLoopDeps): DeliveryLoop {
  const logger = deps.logger.child({ component: "report-delivery" });
  const concurrency = deps.settings.concurrency ?? 8;
  const pollIntervalMs = deps.settings.pollIntervalMs ?? 5000;
  const leaseSeconds =
    deps.settings.leaseSeconds ??
    Math.ceil(deps.settings.timeoutMs / 1000) + 30;
  const wakeup = createWakeup();
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let loop: Promise<void> | undefined;
  let listener: Listener | undefined;

  const deliverInBackground = (row: ReportOutboxRow) => {
    const p = deliverOutboxRow(row, {
      ...deps,
      logger,
      leaseSeconds,
      signal: abort.signal,
    })
      .catch((raw: unknown) =>
        logger.error(
          { err: coerceError(raw), outboxId: row.id },
          "delivery attempt not recorded; the lease will hand it on",
        ),
      )
      .finally(() => {
        inFlight.delete(p);
        // a finished row may unblock the next report of its project
        wakeup.wake();
      });
    inFlight.add(p);
  };

  const runOnce = async (): Promise<number> => {
    const free = concurrency - inFlight.size;
    if (free <= 0) {
      return pollIntervalMs;
    }
    const claimed = await claimDueReports(deps.db, {
      workerId: deps.workerId,
      leaseSeconds,
      limit: free,
    });
    claimed.forEach(deliverInBackground);
    if (claimed.length === free) {
      return 0;
    }
    const dueInMs = await msUntilNextReportDue(deps.db);
    // 25 ms floor: a due row locked by another claimer's open transaction must not make us spin
    return Math.max(25, Math.min(pollIntervalMs, dueInMs ?? pollIntervalMs));
  };

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      let waitMs: number;
      try {
        waitMs = await runOnce();
        failures = 0;
      } catch (raw) {
        failures += 1;
        waitMs = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        logger.error(
          { err: coerceError(raw), failures, retryInMs: waitMs },
          "delivery loop iteration failed",
        );
      }
      if (waitMs > 0 && !stopped) {
        await wakeup.wait(waitMs);
      }
    }
  };

  return {
    start() {
      if (deps.listenConnectionString) {
        listener = listenForNotifications({
          connectionString: deps.listenConnectionString,
          channels: [CHANNELS.outbox],
          onNotify: () => wakeup.wake(),
          onConnected: () => wakeup.wake(),
          onError: (err) =>
            logger.warn({ err }, "outbox listener error; polling meanwhile"),
        });
      }
      loop = run();
      logger.info(
        { workerId: deps.workerId, concurrency, leaseSeconds },
        "report delivery started",
      );
      return Promise.resolve();
    },
    async stop({ force = false } = {}) {
      stopped = true;
      wakeup.wake();
      if (force) {
        abort.abort();
      }
      await loop;
      await Promise.all([...inFlight]);
      await listener?.stop();
      logger.info({ workerId: deps.workerId }, "report delivery stopped");
    },
  };
}
