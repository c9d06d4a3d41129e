import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import express, { type Express } from "express";
import { pinoHttp } from "pino-http";

import type { ApiDeps } from "./deps.js";
import { createAuthorizer } from "./http/auth.js";
import { createDryRunAnswers } from "./http/dry-run-answers.js";
import { createDryRunSlots } from "./http/dry-run-slots.js";
import { corsMiddleware } from "./http/cors.js";
import { DEFAULT_DASHBOARD_DIR, dashboardRouter } from "./http/dashboard.js";
import { errorHandler, routeNotFound } from "./http/error-handler.js";
import { mountRoutes } from "./http/mount-routes.js";
import { requestId } from "./http/request-id.js";
import type { WriteRateLimits } from "./http/rate-limit.js";
import { securityHeaders } from "./http/security-headers.js";
import { createTokenStore } from "./http/token-store.js";
import { createApiMetrics } from "./metrics.js";
import { buildOpenApiDocument } from "./openapi.js";
import { docsAssets } from "./routes/docs.js";
import { allRoutes } from "./routes/index.js";
import type { RouteDef } from "./routes/route.js";

export interface ApiServerOptions extends Omit<ApiDeps, "readDb" | "readPool"> {
  /** DATABASE_READ_URL's handle @default the primary's (`db`, `pool`) */
  read?: { db: ApiDeps["readDb"]; pool: NonNullable<ApiDeps["readPool"]> };
  /** API_TOKENS: admin tokens (every scope, every project), named `api-token-<N>`. */
  tokens: readonly string[];
  /** How long a token lookup in api_tokens is reused @default 5000 (TOKEN_CACHE_MS) */
  tokenCacheMs?: number;
  /** API_READ_TOKEN_REQUIRED @default false */
  readTokenRequired?: boolean;
  /** API_BODY_LIMIT in bytes @default 1 MiB */
  bodyLimitBytes?: number;
  /** API_UPLOAD_LIMIT in bytes @default 20 MiB */
  uploadLimitBytes?: number;
  /** CORS_ORIGINS @default [] */
  corsOrigins?: readonly string[];
  /** PUBLIC_URL, listed as the server in the OpenAPI document. */
  publicUrl?: string | undefined;
  /** More route groups (report deliveries, ...), mounted with the same auth and docs. */
  extraRoutes?: readonly RouteDef[];
  /** API_WRITE_RATE_LIMIT_* and API_RATE_LIMIT_WINDOW_SECONDS @default no limits */
  writeRateLimits?: WriteRateLimits;
  /** The dashboard's built files, served at /ui @default apps/dashboard/dist */
  dashboardDir?: string;
}

export interface ApiServer {
  readonly app: Express;
  readonly routes: readonly RouteDef[];
  readonly openapi: ReturnType<typeof buildOpenApiDocument>;
  /** Starts listening; port 0 picks a free one. Resolves with the bound port. */
  listen(o: {
    port: number;
    host: string;
  }): Promise<{ port: number; url: string }>;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  close(o?: { graceMs?: number }): Promise<void>;
}

/** The API as a value: no env, no signals, no process exit (main.ts does those). */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const o: ApiServerOptions & ApiDeps = {
    ...options,
    readDb: options.read?.db ?? options.db,
    readPool: options.read?.pool,
  };
  // the document lists the docs routes too, so it is built after them and read lazily
  const docs: { document?: ReturnType<typeof buildOpenApiDocument> } = {};
  const metrics = createApiMetrics();
  const tokenStore = createTokenStore({
    db: o.db,
    logger: o.logger,
    ...(o.tokenCacheMs !== undefined && { cacheMs: o.tokenCacheMs }),
  });
  const dryRunAnswers = createDryRunAnswers({
    db: o.db,
    connectionString: o.listenConnectionString,
    logger: o.logger,
  });
  const routes = allRoutes(
    o,
    {
      db: o.db,
      slots: createDryRunSlots(o.dryRun?.limits ?? { global: 2, perToken: 1 }),
      answers: dryRunAnswers,
      waitSeconds: o.dryRun?.waitSeconds ?? 30,
    },
    o.extraRoutes ?? [],
    () => docs.document,
    metrics,
    tokenStore,
  );
  const document = buildOpenApiDocument(routes, {
    version: o.version,
    serverUrl: o.publicUrl,
  });
  docs.document = document;

  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger: o.logger.child({ component: "http" }),
      genReqId: requestId,
      // headers are left out entirely: Authorization never reaches a log line
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err !== undefined || res.statusCode >= 500 ? "error" : "info",
      autoLogging: {
        ignore: (req) => req.url === "/health" || req.url === "/metrics",
      },
    }),
  );
  app.use(securityHeaders());
  app.use(corsMiddleware(o.corsOrigins ?? []));
  mountRoutes(app, routes, {
    db: o.db,
    authorizer: createAuthorizer({
      tokens: o.tokens,
      readTokenRequired: o.readTokenRequired ?? false,
      store: tokenStore,
    }),
    limits: {
      jsonBytes: o.bodyLimitBytes ?? 1024 ** 2,
      uploadBytes: o.uploadLimitBytes ?? 20 * 1024 ** 2,
    },
    writeRateLimits: o.writeRateLimits,
  });
  app.use("/docs", docsAssets);
  app.use(dashboardRouter(o.dashboardDir ?? DEFAULT_DASHBOARD_DIR));
  app.use(routeNotFound);
  app.use(errorHandler(o.logger));

  let server: Server | undefined;
  return {
    app,
    routes,
    openapi: document,
    listen({ port, host }) {
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host);
        s.once("error", reject);
        s.once("listening", () => {
          server = s;
          const bound = (s.address() as AddressInfo).port;
          const shownHost =
            host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
          resolve({
            port: bound,
            url: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${bound}`,
          });
        });
      });
    },
    async close({ graceMs = 10_000 } = {}) {
      const s = server;
      if (s === undefined) {
        return;
      }
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      const timer = setTimeout(() => s.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await dryRunAnswers.close();
    },
  };
}
