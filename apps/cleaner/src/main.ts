import { readFileSync } from "node:fs";

import { createDb, databaseNotReady } from "@vigil/db";
import { runService, startOpsServer } from "@vigil/lifecycle";
import { coerceError, createLogger } from "@vigil/logger";

import { createCleaner } from "./cleaner.js";
import { loadCleanerConfig } from "./config.js";
import { registry } from "./metrics.js";
import type { PrunePassOptions } from "./prune-pass.js";

// Composition root: the only place that reads the environment, opens the pool and handles signals.
/** deploy/ (compose, Kubernetes, the image's healthcheck) expects this when METRICS_PORT is unset. */
const DEFAULT_METRICS_PORT = 9093;
const config = loadCleanerConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: "cleaner" });
const { version } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
) as { version: string };
const pass: PrunePassOptions = {
  retention: {
    keepLast: config.RETENTION_KEEP_LAST,
    maxAgeDays: config.RETENTION_MAX_AGE_DAYS,
    failedMaxAgeDays: config.RETENTION_FAILED_MAX_AGE_DAYS ?? null,
  },
  triggersMaxAgeDays: config.RETENTION_TRIGGERS_MAX_AGE_DAYS,
  reportsDeliveredDays: config.RETENTION_REPORTS_DELIVERED_DAYS,
  reportsDeadDays: config.RETENTION_REPORTS_DEAD_DAYS,
  deadWorkersDays: config.RETENTION_DEAD_WORKERS_DAYS,
  workerStaleSeconds: config.WORKER_STALE_SECONDS,
  auditDays: config.RETENTION_AUDIT_DAYS,
  inputRetentionDays: config.EXECUTION_INPUT_RETENTION_DAYS,
  inputTotalMaxBytes:
    config.EXECUTION_INPUT_TOTAL_MB === undefined
      ? null
      : config.EXECUTION_INPUT_TOTAL_MB * 1024 ** 2,
  batchSize: config.CLEANER_BATCH_SIZE,
  pauseMs: config.CLEANER_BATCH_PAUSE_MS,
};
const openDb = () =>
  createDb({
    connectionString: config.DATABASE_URL,
    // one pass runs one statement at a time; the heartbeat needs the second connection
    max: Math.min(config.DATABASE_POOL_SIZE, 4),
    applicationName: "vigil-cleaner",
    onIdleError: (err) =>
      logger.warn(
        { err },
        "idle database connection failed; the pool replaces it",
      ),
  });

if (process.argv.includes("--once")) {
  // One pass, recorded like any other, then exit: for operators and cron-style deployments.
  const handle = openDb();
  const cleaner = createCleaner({
    db: handle.db,
    logger,
    version,
    pass,
    intervalMs: 0,
    presence: false,
  });
  const result = await cleaner.runOnce();
  await handle.close();
  process.exit(result.error === null ? 0 : 1);
} else {
  await runService({
    logger,
    start: async () => {
      const handle = openDb();
      const cleaner = createCleaner({
        db: handle.db,
        logger,
        version,
        pass,
        intervalMs: config.CLEANER_INTERVAL_SECONDS * 1000,
      });
      await cleaner.start();
      const ops = await startOpsServer({
        host: config.METRICS_HOST,
        port: config.METRICS_PORT ?? DEFAULT_METRICS_PORT,
        logger,
        version,
        readiness: {
          database: () => databaseNotReady(handle.db),
          loops: () =>
            cleaner.running ? undefined : "the cleaning loop has ended",
        },
        metrics: () => registry.metrics(),
      });
      logger.info(
        {
          version,
          workerId: cleaner.workerId,
          intervalSeconds: config.CLEANER_INTERVAL_SECONDS,
          ...pass,
        },
        "started",
      );
      return {
        async stop(options) {
          await cleaner
            .stop(options)
            .catch((raw: unknown) =>
              logger.error({ err: coerceError(raw) }, "unclean stop"),
            );
          await ops.close();
          await handle.close();
        },
      };
    },
  });
}
