import { readFileSync } from "node:fs";
import path from "node:path";

import { createDb, databaseNotReady } from "@vigil/db";
import { onSupervisorGone, startOpsServer } from "@vigil/lifecycle";
import { detectSandboxCapabilities, type SandboxLayer } from "@vigil/runner";
import { coerceError, createLogger } from "@vigil/logger";

import { loadExecutorConfig } from "./config.js";
import { createNoopRunner } from "./detector-runner.js";
import { createDryRunLoop } from "./dry-run-loop.js";
import { createExecutor } from "./executor.js";
import { registry } from "./metrics.js";
import { createDeliveryLoop } from "./reports/delivery-loop.js";
import { createDigestLoop } from "./reports/digest-loop.js";
import { createReportPrecheck } from "./report-precheck.js";
import {
  createReportAfterRecord,
  createReportAfterRescue,
  deliverySettingsFromConfig,
  reportSettingsFromConfig,
} from "./reports/wiring.js";
import { createDetectorRunner } from "./run-detector.js";
import { createSecretStore } from "@vigil/detector-run";
import { createWorkDirGc } from "./work-dir-gc.js";
import { findUnreachableWorkDir } from "./check-work-dir.js";
import { unmetRequirements, type SandboxPolicy } from "@vigil/detector-run";

// Composition root: the only place that reads env, opens the pool and handles signals.
/** deploy/ (compose, Kubernetes, the image's healthcheck) expects this when METRICS_PORT is unset. */
const DEFAULT_METRICS_PORT = 9092;
const config = loadExecutorConfig(process.env);
const logger = createLogger({ level: config.LOG_LEVEL, name: "executor" });
const version = (
  JSON.parse(
    readFileSync(new URL("../package.json", import.meta.url), "utf8"),
  ) as { version: string }
).version;

const handle = createDb({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_SIZE,
  applicationName: "vigil-executor",
  // PostgreSQL restarting: the pool drops the client and makes new ones; never fatal
  // (test/pg-restart.test.ts restarts it under a running pool)
  onIdleError: (err) => logger.warn({ err }, "database connection lost"),
});
const workDir = path.resolve(config.WORK_DIR);
if (
  config.EXECUTOR_RUNNER !== "noop" &&
  (await detectSandboxCapabilities()).switchUser
) {
  const problem = await findUnreachableWorkDir(workDir);
  if (problem) {
    logger.fatal(problem);
    process.exit(2);
  }
}
const sandboxPolicy: SandboxPolicy = {
  diskMb: config.DETECTOR_DISK_MB,
  maxOpenFiles: config.DETECTOR_MAX_OPEN_FILES,
  require: config.SANDBOX_REQUIRE as SandboxLayer[],
};
if (config.EXECUTOR_RUNNER !== "noop" && sandboxPolicy.require.length > 0) {
  const unmet = unmetRequirements(
    sandboxPolicy.require,
    await detectSandboxCapabilities(),
  );
  if (unmet.length > 0) {
    for (const line of unmet) {
      logger.fatal(line);
    }
    process.exit(2);
  }
}
const secrets = createSecretStore({
  env: process.env,
  secretsDir: config.SECRETS_DIR,
});
const detectorRunner =
  config.EXECUTOR_RUNNER === "noop"
    ? undefined
    : createDetectorRunner({
        db: handle.db,
        workDir,
        packages: {
          names: config.DETECTOR_PACKAGES,
          nodeModulesDir: path.join(workDir, "node_modules"),
        },
        // trusted code only: data-source `*_env` names resolve through the secret store alone
        secrets,
        allowPrivateNetworks: config.DATASOURCE_ALLOW_PRIVATE_NETWORKS,
        byteLimits: {
          maxRowBytes: config.DATASOURCE_MAX_ROW_BYTES,
          maxBytes: config.DATASOURCE_MAX_BYTES,
        },
        sourcePools: {
          maxPerSource: config.DATASOURCE_POOL_SIZE,
          idleMs: config.DATASOURCE_POOL_IDLE_SECONDS * 1000,
        },
        prestart: config.DETECTOR_PRESTART,
        sandbox: sandboxPolicy,
        keepInput: config.EXECUTION_INPUTS
          ? { maxBytes: config.EXECUTION_INPUT_MAX_BYTES }
          : null,
        logger: logger.child({ component: "detector-runner" }),
      });
const runner =
  detectorRunner ??
  createNoopRunner({ delayMs: config.EXECUTOR_NOOP_DELAY_MS });
if (config.EXECUTOR_RUNNER === "noop") {
  logger.warn(
    "EXECUTOR_RUNNER=noop: detectors are NOT run (benchmark/test setting)",
  );
}

const executor = createExecutor({
  db: handle.db,
  connectionString: config.DATABASE_URL,
  logger,
  runner,
  ...(config.WORKER_ID ? { workerId: config.WORKER_ID } : {}),
  version,
  concurrency: config.EXECUTOR_CONCURRENCY,
  leaseSeconds: config.LEASE_SECONDS,
  limits: {
    globalMaxRunning: config.GLOBAL_MAX_RUNNING ?? null,
    teamMaxRunning: config.TEAM_MAX_RUNNING,
  },
  pollIntervalMs: config.POLL_INTERVAL_MS,
  rescueIntervalMs: config.RESCUE_INTERVAL_MS,
  maxRescues: config.MAX_RESCUES,
  retry: {
    baseMs: config.RETRY_BACKOFF_BASE_MS,
    maxMs: config.RETRY_BACKOFF_MAX_MS,
  },
  // the report outbox row commits in the same transaction as the result (issue 6)
  afterRecord: createReportAfterRecord({
    logger,
    settings: reportSettingsFromConfig(config),
  }),
  // a rescued run is reported too (report: always), and a quarantine alerts
  afterRescue: createReportAfterRescue({
    logger,
    settings: reportSettingsFromConfig(config),
  }),
  // ...and is skipped, with its transaction, only when it certainly writes nothing
  reportPrecheck: createReportPrecheck(reportSettingsFromConfig(config)),
});
// dry runs the API hands over: run here, where the sandbox and the sources' secrets are
const dryRuns =
  detectorRunner &&
  createDryRunLoop({
    db: handle.db,
    connectionString: config.DATABASE_URL,
    logger,
    workerId: executor.workerId,
    concurrency: config.EXECUTOR_DRY_RUN_CONCURRENCY,
    leaseSeconds: config.LEASE_SECONDS,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    settings: detectorRunner.dryRunSettings,
  });
const delivery = createDeliveryLoop({
  db: handle.db,
  logger,
  workerId: executor.workerId,
  env: secrets.asEnv(),
  listenConnectionString: config.DATABASE_URL,
  settings: deliverySettingsFromConfig(config),
});
// report.digest: a digest that came due while no run of its project came to carry it
const digests = createDigestLoop({
  db: handle.db,
  logger,
  settings: reportSettingsFromConfig(config),
  maxSleepMs: Math.min(60_000, config.POLL_INTERVAL_MS * 20),
});

// keeps WORK_DIR within DETECTOR_WORK_DIR_MAX_MB; folders of runs in flight are never touched
const workDirGc =
  detectorRunner &&
  createWorkDirGc({
    workDir,
    maxTotalBytes: config.DETECTOR_WORK_DIR_MAX_MB * 1024 * 1024,
    inUse: () => detectorRunner.foldersInUse(),
    runFolders: {
      db: handle.db,
      retentionMs: config.RUN_FOLDER_RETENTION_HOURS * 3600_000,
    },
    logger: logger.child({ component: "work-dir-gc" }),
  });

let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
let stopping = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (stopping) {
    logger.warn({ signal }, "second signal: stopping detectors now");
    executor.forceStop();
    void delivery.stop({ force: true });
    return;
  }
  stopping = true;
  workDirGc?.stop();
  logger.info({ signal }, "shutting down");
  const graceMs = config.EXECUTOR_SHUTDOWN_GRACE_SECONDS * 1000;
  void Promise.all([executor.stop({ graceMs }), dryRuns?.stop({ graceMs })])
    .then(() => digests.stop())
    .then(() => delivery.stop())
    .then(() => ops?.close())
    .then(() => detectorRunner?.close())
    .then(() => handle.close())
    .then(
      () => process.exit(0),
      (raw: unknown) => {
        logger.error({ err: coerceError(raw) }, "shutdown failed");
        process.exit(1);
      },
    );
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);
onSupervisorGone(() => onSignal("SIGTERM"));

await executor.start();
dryRuns?.start();
await delivery.start();
await digests.start();
workDirGc?.start();
try {
  ops = await startOpsServer({
    host: config.METRICS_HOST,
    port: config.METRICS_PORT ?? DEFAULT_METRICS_PORT,
    logger,
    version,
    readiness: {
      database: () => databaseNotReady(handle.db),
      loops: () =>
        executor.claiming() ? undefined : "the claim loop is not running",
    },
    metrics: () => registry.metrics(),
  });
} catch (raw) {
  logger.fatal(
    { err: coerceError(raw) },
    "cannot serve /health, /ready and /metrics",
  );
  process.exit(1);
}
