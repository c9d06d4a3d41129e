import {
  CHANNELS,
  createWorkerPresence,
  listenForNotifications,
  LOCK_KEYS,
  type Db,
  type Listener,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import { runBackfillPass } from "./backfill-pass.js";
import { createLeadership } from "./leadership.js";
import {
  materializePassesTotal,
  skippedRunsTotal,
  triggersCancelledTotal,
  triggersCreatedTotal,
  watchdogEpisodesOpenedTotal,
  watchdogPassesTotal,
} from "./metrics.js";
import {
  runMaterializePass,
  type MaterializeOptions,
  type PassStats,
} from "./materialize-pass.js";
import { createWakeup } from "./wakeup.js";
import { runWatchdogPass, type WatchdogOptions } from "./watchdog-pass.js";

export interface TriggerCreatorDeps {
  db: Db;
  /** For the leader lock's and the listener's own connections. */
  connectionString: string;
  logger: Logger;
  /** Shown in `workers`. */
  version: string;
  materialize: MaterializeOptions;
  /** Fallback poll when a NOTIFY is missed. */
  pollIntervalMs: number;
  /** How often a standby tries the leader lock. */
  leaderRetryMs: number;
  /** Called after every pass (tests, metrics). */
  onPass?: (stats: PassStats) => void;
  /** The leader's watchdog (silent schedules); omitted: no watchdog runs. */
  watchdog?: WatchdogOptions & { intervalMs: number };
}

export interface TriggerCreator {
  /** Registers the worker, starts listening and the leader/standby loop; returns at once. */
  start(): Promise<void>;
  /** Stops after the current batch, releases the lock, marks the worker stopped. */
  stop(): Promise<void>;
  readonly isLeader: boolean;
  /**
   * On the leader, seconds by which the fire times materialized by its last full pass fall
   * short of now + horizon (the term's age until its first full pass); 0 on a standby.
   */
  lagSeconds(): number;
  /** The leader loop is running (false once it ended or before start). */
  readonly running: boolean;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * The trigger-creator service: one leader at a time materializes triggers; standbys wait for
 * the lock. The leader runs a full pass every `materialize.refreshSeconds` (and when it
 * becomes leader), and a cheap pass over new and changed schedules on every NOTIFY on
 * `vigil_schedules` and every `pollIntervalMs` (the fallback for a lost NOTIFY). Any number
 * may run: creation is idempotent, the lock only saves duplicate work.
 */
export function createTriggerCreator(deps: TriggerCreatorDeps): TriggerCreator {
  const logger = deps.logger.child({ component: "trigger-creator" });
  const stopping = new AbortController();
  const wakeup = createWakeup();
  const leadership = createLeadership({
    connectionString: deps.connectionString,
    lockKey: LOCK_KEYS.triggerCreatorLeader,
    retryMs: deps.leaderRetryMs,
    logger,
  });
  let lastPass: PassStats | undefined;
  const presence = createWorkerPresence({
    db: deps.db,
    app: "trigger-creator",
    version: deps.version,
    sample: () => ({
      info: {
        leader: leadership.isLeader,
        lastPassAt: lastPass?.now.toISOString() ?? null,
        lastPassMs: lastPass?.durationMs ?? null,
      },
    }),
    onError: (raw) =>
      logger.warn({ err: coerceError(raw) }, "worker heartbeat failed"),
  });
  let listener: Listener | undefined;
  // POST /projects/refresh sends NOTIFY vigil_schedules 'refresh': re-read every schedule.
  let fullPassRequested = false;
  let loop: Promise<void> | undefined;
  let looping = false;
  // the end of the fire times a full pass of this term made (null: none yet), and the term's start
  let materializedUntilMs: number | null = null;
  let termStartedMs = 0;

  // Full passes no more often than the poll: with no refresh set, every poll is a full pass.
  const fullPassEveryMs = Math.max(
    (deps.materialize.refreshSeconds ?? 0) * 1000,
    deps.pollIntervalMs,
  );
  const lead = async (term: AbortSignal) => {
    let failures = 0;
    // A new leader starts with a full pass: it catches up whatever happened before it led.
    let nextFullPassAt = 0;
    materializedUntilMs = null;
    termStartedMs = Date.now();
    while (!term.aborted) {
      const startedAt = performance.now();
      const scope =
        fullPassRequested || startedAt >= nextFullPassAt ? "all" : "changed";
      fullPassRequested = false;
      try {
        const stats = await runMaterializePass({
          db: deps.db,
          logger,
          options: deps.materialize,
          signal: term,
          scope,
        });
        failures = 0;
        if (scope === "all" && !stats.aborted) {
          nextFullPassAt = startedAt + fullPassEveryMs;
          materializedUntilMs =
            stats.now.getTime() +
            (deps.materialize.horizonSeconds +
              (deps.materialize.refreshSeconds ?? 0)) *
              1000;
        }
        triggersCreatedTotal.inc(stats.triggers);
        triggersCancelledTotal.inc(stats.cancelled);
        skippedRunsTotal.inc({ reason: "misfire" }, stats.missedSkipped);
        materializePassesTotal.inc({ scope, result: "ok" });
        lastPass = stats;
        deps.onPass?.(stats);
        // Routine passes (a few new fires every poll) at debug; anything an operator may want to see at info.
        const notable =
          stats.cancelled > 0 ||
          stats.invalid > 0 ||
          stats.catchup > 0 ||
          stats.missedSkipped > 0 ||
          stats.missedCaughtUp > 0 ||
          stats.durationMs > 1000;
        logger[notable ? "info" : "debug"](
          { ...stats, scope, now: stats.now.toISOString() },
          "materialized",
        );
      } catch (raw) {
        failures += 1;
        materializePassesTotal.inc({ scope, result: "failed" });
        logger.error(
          { err: coerceError(raw), failures, scope },
          "materialization pass failed; backing off",
        );
      }
      // Backfills are topped up on every pass, apart from materialization, so one failing
      // never holds back scheduled runs (nor the other way round).
      try {
        const backfills = await runBackfillPass({
          db: deps.db,
          logger,
          signal: term,
        });
        if (backfills.triggers > 0) {
          triggersCreatedTotal.inc(backfills.triggers);
          logger.debug({ ...backfills }, "backfills topped up");
        }
      } catch (raw) {
        logger.error(
          { err: coerceError(raw) },
          "backfill pass failed; trying again next pass",
        );
      }
      const untilFullPass = Math.max(0, nextFullPassAt - performance.now());
      const delay =
        failures === 0
          ? Math.min(deps.pollIntervalMs, untilFullPass)
          : Math.min(MAX_BACKOFF_MS, deps.pollIntervalMs * 2 ** failures);
      await wakeup.wait(delay, term);
    }
  };

  // The watchdog runs beside the materialization on the leader only, on its own timer, so a
  // slow full pass never delays it and it never delays a pass.
  const watch = async (term: AbortSignal) => {
    const options = deps.watchdog;
    if (options === undefined) {
      return;
    }
    const sleep = createWakeup();
    let failures = 0;
    while (!term.aborted) {
      try {
        const stats = await runWatchdogPass({ db: deps.db, logger, options });
        failures = 0;
        watchdogPassesTotal.inc({ result: "ok" });
        for (const [reason, n] of Object.entries(stats.openedByReason)) {
          watchdogEpisodesOpenedTotal.inc({ reason }, n);
        }
        logger[
          stats.opened + stats.closed + stats.alerted > 0 ? "info" : "debug"
        ]({ ...stats, now: stats.now.toISOString() }, "watchdog pass");
      } catch (raw) {
        failures += 1;
        watchdogPassesTotal.inc({ result: "failed" });
        logger.error(
          { err: coerceError(raw), failures },
          "watchdog pass failed; backing off",
        );
      }
      await sleep.wait(
        failures === 0
          ? options.intervalMs
          : Math.min(MAX_BACKOFF_MS, options.intervalMs * 2 ** failures),
        term,
      );
    }
  };

  const run = async () => {
    for (;;) {
      const term = await leadership.acquire(stopping.signal);
      if (term === null) {
        return;
      }
      // The term ends when the lock is lost or the process stops, whichever comes first.
      const termSignal = AbortSignal.any([term, stopping.signal]);
      await Promise.all([lead(termSignal), watch(termSignal)]);
      if (stopping.signal.aborted) {
        return;
      }
    }
  };

  return {
    get isLeader() {
      return leadership.isLeader;
    },
    get running() {
      return looping;
    },
    lagSeconds() {
      if (!leadership.isLeader) {
        return 0;
      }
      const now = Date.now();
      if (materializedUntilMs === null) {
        return (now - termStartedMs) / 1000;
      }
      const wanted = now + deps.materialize.horizonSeconds * 1000;
      return Math.max(0, (wanted - materializedUntilMs) / 1000);
    },
    async start() {
      await presence.start();
      listener = listenForNotifications({
        connectionString: deps.connectionString,
        channels: [CHANNELS.schedules],
        onNotify: (_channel, payload) => {
          fullPassRequested ||= payload === "refresh";
          wakeup.notify();
        },
        // after a (re)connect, notifications may have been missed: look again
        onConnected: () => wakeup.notify(),
        onError: (err) =>
          logger.warn(
            { err },
            "schedule listener connection failed; reconnecting",
          ),
      });
      looping = true;
      loop = run().finally(() => (looping = false));
    },
    async stop() {
      stopping.abort();
      // Finish the current batch first, then let a standby take over.
      await loop;
      await leadership.close();
      await listener?.stop();
      await presence.stop();
    },
  };
}
