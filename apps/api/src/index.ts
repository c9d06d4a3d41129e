// The API as a value (createApiServer), for tests and bench; main.ts is the process.
export {
  createApiServer,
  type ApiServer,
  type ApiServerOptions,
} from "./server.js";
export { ApiEnv, loadApiConfig, type ApiConfig } from "./config.js";
export type { ApiDeps } from "./deps.js";
export type { Access, Principal } from "./http/auth.js";
export type { RouteDef, RouteContext, Reply } from "./routes/route.js";
export { defineRoute } from "./routes/route.js";
