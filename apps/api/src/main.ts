import { smtpEnvOf } from "@vigil/channels";
import { collectSecretValues } from "@vigil/config";
import { SECRET_NAME_PATTERN } from "@vigil/contracts";
import { createDb, createWorkerPresence } from "@vigil/db";
import { onSupervisorGone } from "@vigil/lifecycle";
import { createLogger, registerSecrets } from "@vigil/logger";

import { loadApiConfig } from "./config.js";
import { createApiServer } from "./server.js";
import { readVersion } from "./version.js";

/** Composition root: env → logger → pool → server → worker row; signals → graceful stop. */
const config = loadApiConfig();
registerSecrets(collectSecretValues(config));
const logger = createLogger({ level: config.LOG_LEVEL, name: "api" });
const version = readVersion();
const handle = createDb({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_SIZE,
  applicationName: "vigil-api",
  onIdleError: (err) => logger.warn({ err }, "idle database client failed"),
});
const readHandle =
  config.DATABASE_READ_URL === undefined
    ? undefined
    : createDb({
        connectionString: config.DATABASE_READ_URL,
        max: config.DATABASE_POOL_SIZE,
        applicationName: "vigil-api-read",
        onIdleError: (err) =>
          logger.warn({ err }, "idle read-replica client failed"),
      });
const server = createApiServer({
  db: handle.db,
  pool: handle.pool,
  ...(readHandle !== undefined && {
    read: { db: readHandle.db, pool: readHandle.pool },
  }),
  logger,
  version,
  tokens: config.API_TOKENS,
  readTokenRequired: config.API_READ_TOKEN_REQUIRED,
  bodyLimitBytes: config.API_BODY_LIMIT,
  uploadLimitBytes: config.API_UPLOAD_LIMIT,
  corsOrigins: config.CORS_ORIGINS,
  publicUrl: config.PUBLIC_URL,
  channels: {
    // only the names a project's url_env may give, never the API's own settings
    env: Object.fromEntries(
      Object.entries(process.env).filter(([name]) =>
        SECRET_NAME_PATTERN.test(name),
      ),
    ),
    reportUrl: config.REPORT_URL,
    signingSecret: config.REPORT_SIGNING_SECRET,
    allowPrivateNetworks: config.REPORT_ALLOW_PRIVATE_NETWORKS,
    timeoutMs: config.REPORT_TIMEOUT_MS,
    smtp: smtpEnvOf(config),
  },
  dryRun: {
    limits: {
      global: config.DRY_RUN_CONCURRENCY,
      perToken: config.DRY_RUN_CONCURRENCY_PER_TOKEN,
    },
    waitSeconds: config.DRY_RUN_WAIT_SECONDS,
  },
  listenConnectionString: config.DATABASE_URL,
  writeRateLimits: {
    windowMs: config.API_RATE_LIMIT_WINDOW_SECONDS * 1000,
    perToken: config.API_WRITE_RATE_LIMIT_PER_TOKEN,
    perIp: config.API_WRITE_RATE_LIMIT_PER_IP,
  },
});
const presence = createWorkerPresence({
  db: handle.db,
  app: "api",
  version,
  onError: (err) => logger.warn({ err }, "worker heartbeat failed"),
});

const { url } = await server.listen({ port: config.PORT, host: config.HOST });
await presence.start();
logger.info(
  {
    url,
    workerId: presence.workerId,
    writes: config.API_TOKENS.length > 0,
    readReplica: readHandle !== undefined,
  },
  "api listening",
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting now");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, "stopping");
  await presence.draining();
  await server.close({ graceMs: 10_000 });
  await presence.stop();
  await readHandle?.close();
  await handle.close();
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
onSupervisorGone(() => void stop("supervisor gone"));
