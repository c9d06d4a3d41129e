import { MIN_API_TOKEN_LENGTH } from "../fragments/api.js";
import type { EnvVarDoc } from "../env-vars.js";
import type { EnvVarName } from "../fragments/index.js";

/** The variables of the database, logging, HTTP ports and the API, in the order the README's table lists them. */
export const coreDocs = {
  DATABASE_URL: {
    required: true,
    secret: "url-password",
    meaning:
      "PostgreSQL connection URL (`postgres://` or `postgresql://`). Unset under `npm start`: the embedded PostgreSQL is used.",
  },
  DATABASE_READ_URL: {
    secret: "url-password",
    meaning:
      "A streaming replica of `DATABASE_URL` for the API's list, detail and stats reads (GET routes), with a pool of `DATABASE_POOL_SIZE` of its own. Writes, `/ready`, `/status`, `GET /tokens`, token checks and the answer of every write stay on the primary. Answers may trail the primary by the replica's lag (`GET /status`: `database.replicas`, `database.read_replica`). Unset: every read uses the primary.",
  },
  DATABASE_POOL_SIZE: {
    default: "10",
    meaning: "Maximum connections in each process's pool.",
  },
  LOG_LEVEL: {
    default: "info",
    meaning:
      "One of trace, debug, info, warn, error, fatal, silent. Logs are always JSON lines on stdout.",
  },
  PORT: { default: "8080", meaning: "API listen port (0 picks a free one)." },
  HOST: { default: "0.0.0.0", meaning: "API listen address." },
  METRICS_PORT: {
    computedDefault: "9091 / 9092 / 9093",
    meaning:
      "Port of `/health`, `/ready` and `/metrics` of trigger-creator (default 9091), executor (9092) and cleaner (9093); 0 picks a free one.",
  },
  METRICS_HOST: {
    default: "0.0.0.0",
    meaning: "Listen address of the `/health`, `/ready` and `/metrics` port.",
  },
  API_TOKENS: {
    default: "",
    secret: "list",
    meaning: `Comma-separated bearer tokens, each at least ${MIN_API_TOKEN_LENGTH} characters, each an admin token with every scope and project (named \`api-token-<N>\` in logs and the audit trail). Optional: tokens made with \`vigil token create\` or \`POST /tokens\` live in the database.`,
  },
  API_READ_TOKEN_REQUIRED: {
    default: "false",
    meaning:
      "Require a token with the `read` scope for reads too (true/false, 1/0, yes/no); `true` in the compose file and the Kubernetes base, `false` under `npm start`. `/health`, `/ready`, `/metrics`, `/openapi.json` and `/docs` stay open.",
  },
  API_BODY_LIMIT: {
    default: "1mb",
    meaning: "Largest JSON request body (b, kb, mb, gb; 1kb = 1024 bytes).",
  },
  API_UPLOAD_LIMIT: {
    default: "20mb",
    meaning: "Largest data upload (`POST /projects/{id}/data`).",
  },
  API_WRITE_RATE_LIMIT_PER_TOKEN: {
    default: "120",
    meaning:
      "Writes (every non-GET route that needs more than read access) one token may make per `API_RATE_LIMIT_WINDOW_SECONDS`; beyond it 429 with `Retry-After`. 0: no limit.",
  },
  API_WRITE_RATE_LIMIT_PER_IP: {
    default: "300",
    meaning:
      "Writes one client address may make per window, whatever the token (counted before authentication, so it also slows token guessing). 0: no limit. Behind a proxy every client shares its address.",
  },
  API_RATE_LIMIT_WINDOW_SECONDS: {
    default: "60",
    meaning:
      "The fixed window of both write rate limits, counted per API process (each replica keeps its own counts).",
  },
  CORS_ORIGINS: {
    default: "",
    meaning:
      "Comma-separated origins allowed by CORS (`https://app.example.com`, or `*`). Empty: no CORS headers.",
  },
  PUBLIC_URL: {
    meaning:
      "Public base URL of the API, for links in reports and alerts. Unset: no links.",
  },
} satisfies Partial<Record<EnvVarName, EnvVarDoc>>;
