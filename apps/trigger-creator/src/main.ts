import { readFileSync } from "node:fs";

import { createDb, databaseNotReady } from "@vigil/db";
import { runService, startOpsServer } from "@vigil/lifecycle";
import { coerceError, createLogger } from "@vigil/logger";

import { loadTriggerCreatorConfig } from "./config.js";
import { createTriggerCreator } from "./creator.js";
import { createFleetMetrics } from "./fleet-metrics.js";
import { runMaterializePass } from "./materialize-pass.js";
import { observeCreator, registry } from "./metrics.js";

/** deploy/ (compose, Kubernetes, the image's healthcheck) expects this when METRICS_PORT is unset. */
const DEFAULT_METRICS_PORT = 9091;

// Composition root: the only place that reads the environment, opens the pool and handles signals.
const config = loadTriggerCreatorConfig();
const logger = createLogger({
  level: config.LOG_LEVEL,
  name: "trigger-creator",
});
const { version } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
) as { version: string };
const handle = createDb({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_SIZE,
  applicationName: "vigil-trigger-creator",
  onIdleError: (err) =>
    logger.warn(
      { err },
      "idle database connection failed; the pool replaces it",
    ),
});
const materialize = {
  horizonSeconds: config.TRIGGER_HORIZON_SECONDS,
  // Full passes every half horizon, each making 1.5 horizons: never less than one horizon ahead.
  refreshSeconds: Math.max(1, Math.floor(config.TRIGGER_HORIZON_SECONDS / 2)),
  batchSize: config.TRIGGER_BATCH_SIZE,
  maxCatchup: config.MISFIRE_MAX_CATCHUP,
  writeConcurrency: config.TRIGGER_WRITE_CONCURRENCY,
};

if (process.argv.includes("--once")) {
  // One pass without leader election (creation is idempotent), then exit: for operators and bench/.
  // --changed-only: the cheap pass the leader runs between full passes.
  const scope = process.argv.includes("--changed-only") ? "changed" : "all";
  try {
    const stats = await runMaterializePass({
      db: handle.db,
      logger,
      options: materialize,
      signal: new AbortController().signal,
      scope,
    });
    logger.info(
      {
        ...stats,
        scope,
        now: stats.now.toISOString(),
        maxRssKb: process.resourceUsage().maxRSS,
      },
      "pass finished",
    );
    await handle.close();
  } catch (raw) {
    logger.fatal({ err: coerceError(raw) }, "pass failed");
    process.exit(1);
  }
} else {
  await runService({
    logger,
    start: async () => {
      const creator = createTriggerCreator({
        db: handle.db,
        connectionString: config.DATABASE_URL,
        logger,
        version,
        materialize,
        pollIntervalMs: config.POLL_INTERVAL_MS,
        leaderRetryMs: config.LEADER_RETRY_MS,
        watchdog: {
          intervalMs: config.WATCHDOG_INTERVAL_MS,
          graceSeconds: config.WATCHDOG_GRACE_SECONDS,
        },
      });
      observeCreator(creator);
      const fleet = createFleetMetrics(handle.db);
      await creator.start();
      const ops = await startOpsServer({
        host: config.METRICS_HOST,
        port: config.METRICS_PORT ?? DEFAULT_METRICS_PORT,
        logger,
        version,
        readiness: {
          database: () => databaseNotReady(handle.db),
          loops: () =>
            creator.running ? undefined : "the leader/standby loop has ended",
        },
        // one copy of the database-wide gauges: the leader's (fleet-metrics.ts)
        metrics: async () =>
          (await registry.metrics()) +
          (creator.isLeader ? await fleet.metrics() : ""),
      });
      logger.info(
        {
          version,
          horizonSeconds: config.TRIGGER_HORIZON_SECONDS,
          pollIntervalMs: config.POLL_INTERVAL_MS,
        },
        "started",
      );
      return {
        async stop({ force }) {
          // Forced: exit now; the lock dies with the connection and every write is idempotent.
          if (force) {
            return;
          }
          await creator.stop();
          await ops.close();
          await handle.close();
        },
      };
    },
  });
}
