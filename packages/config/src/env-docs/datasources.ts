import type { EnvVarDoc } from "../env-vars.js";
import type { EnvVarName } from "../fragments/index.js";

/** The variables of data sources and their secrets, in the order the README's table lists them. */
export const datasourcesDocs = {
  SECRETS_DIR: {
    meaning:
      "Folder of secrets projects may name, one file per secret (file name = the name a project's `*_env` gives, e.g. `VIGIL_SECRET_ORDERS_DB_URL`; one trailing newline trimmed). Projects may name only these files and `VIGIL_SECRET_*` environment variables (the variable wins when both exist), never the executor's own settings. Unset: environment variables only.",
  },
  DATASOURCE_ALLOW_PRIVATE_NETWORKS: {
    default: "false",
    meaning:
      "Allow HTTP data sources on loopback, private, link-local and metadata addresses (the source must set `allow_private_network: true` too). Separate from `REPORT_ALLOW_PRIVATE_NETWORKS`.",
  },
  DATASOURCE_MAX_ROW_BYTES: {
    default: "1mb",
    meaning:
      "Largest single row a data source may return (as received: PostgreSQL/MySQL wire bytes, HTTP JSON); a larger row fails the run, naming the row and its size, before the row is buffered (b, kb, mb, gb).",
  },
  DATASOURCE_MAX_BYTES: {
    default: "64mb",
    meaning:
      "Most bytes one run's data load may receive (all rows, or the HTTP bodies of all pages); beyond it the load stops and the run fails. Keep it well under the executor's memory: a fetch batch is held in memory once as received and once as objects.",
  },
  DATASOURCE_POOL_SIZE: {
    default: "2",
    meaning:
      "Connections each executor keeps open at most per SQL data source (per driver and resolved connection URL), reused by its runs; more runs of one source at once wait for one of them, within their `timeout_seconds`.",
  },
  DATASOURCE_POOL_IDLE_SECONDS: {
    default: "30",
    meaning:
      "A data-source connection no run used for this long is closed, so a source whose runs are rare holds no connection between them.",
  },
} satisfies Partial<Record<EnvVarName, EnvVarDoc>>;
