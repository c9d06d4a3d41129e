import {
  ENV_FRAGMENTS,
  type AppName,
  type EnvVarName,
} from "./fragments/index.js";
import { MIN_API_TOKEN_LENGTH } from "./fragments/api.js";
import { MIN_REPORT_SECRET_LENGTH } from "./fragments/report.js";

/**
 * How a secret variable is kept out of logs: "value"/"list" values are registered with the
 * logger as exact strings; a "url-password" is caught by the logger's URL pattern.
 */
export type SecretKind = "value" | "list" | "url-password";

interface EnvVarDoc {
  /** The default as a user would write it (`1mb`), parsed in tests to equal the real default. */
  default?: string;
  /** For defaults computed at start (e.g. from the CPU count): shown instead of a value. */
  computedDefault?: string;
  required?: boolean;
  secret?: SecretKind;
  meaning: string;
}

/**
 * The documentation of every variable. `Record<EnvVarName, ...>` makes a new variable in
 * a fragment a type error until it is documented here.
 */
const DOCS: Record<EnvVarName, EnvVarDoc> = {
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
  WORK_DIR: {
    default: ".vigil/work",
    meaning:
      "Where synthesized detectors are written and run (relative to the working directory).",
  },
  EXECUTOR_CONCURRENCY: {
    computedDefault: "CPU count",
    meaning:
      "Detector runs at once per executor process (1 to 256); default `os.availableParallelism()`.",
  },
  EXECUTOR_DRY_RUN_CONCURRENCY: {
    default: "1",
    meaning:
      "Dry runs (`POST /projects/{id}/dry-run`, handed over through `dry_run_requests`) each executor process runs at once (0 to 256; 0: this executor takes none), on top of its EXECUTOR_CONCURRENCY trigger runs, in the same sandbox and with the same secrets and source connections.",
  },
  LEASE_SECONDS: {
    default: "30",
    meaning:
      "Lease on a claimed trigger (min 5); renewed every third of it while the run lasts.",
  },
  MAX_RESCUES: {
    default: "3",
    meaning:
      "A trigger whose runs were rescued this many times (their workers died, froze or lost their connection) is quarantined: failed, with an alert.",
  },
  RESCUE_INTERVAL_MS: {
    default: "500",
    meaning:
      "How often each executor looks for runs of dead workers (a freed worker lock, an expired lease) and sends them back to pending.",
  },
  GLOBAL_MAX_RUNNING: {
    meaning:
      "Most runs in flight at once across every executor (all projects and teams); a claim starts no more than the room left. Set the same value on every executor. Unset: no global limit.",
  },
  TEAM_MAX_RUNNING: {
    default: "",
    meaning:
      "Most runs in flight at once per team across every executor, `team=count` pairs separated by commas (`finance=4,ops=2`); a project joins a team with `team` in its config. A team not named, and a project without a team, has no limit of its own. Set the same value on every executor.",
  },
  POLL_INTERVAL_MS: {
    default: "2000",
    meaning: "Fallback polling interval when a NOTIFY wake-up is missed.",
  },
  EXECUTOR_SHUTDOWN_GRACE_SECONDS: {
    default: "30",
    meaning:
      "On SIGTERM, how long in-flight runs may finish before they are cancelled.",
  },
  WORKER_ID: {
    meaning:
      "Stable worker name shown in claims. Unset: derived from host name and process id.",
  },
  RETRY_BACKOFF_BASE_MS: {
    default: "10000",
    meaning:
      "Backoff before the retry of a failed run (projects with `max_attempts` > 1): attempt n waits between half and all of min(max, base * 2^(n-1)) (equal jitter: never sooner than half).",
  },
  RETRY_BACKOFF_MAX_MS: {
    default: "600000",
    meaning: "The longest backoff between attempts of a failed run.",
  },
  DETECTOR_PACKAGES: {
    default: "",
    meaning:
      "Comma-separated npm packages rule code may import besides the allowed built-ins; install them with `npm install --prefix $WORK_DIR`.",
  },
  DETECTOR_PRESTART: {
    default: "true",
    meaning:
      "Boot each detector slot's next detector process (sandboxed, waiting for its run) while the slot is idle, so Node's start-up is not on a run's critical path. Costs one idle Node process (~40 MB) per slot that has run; `false` starts every detector cold.",
  },
  EXECUTOR_RUNNER: {
    default: "detector",
    meaning:
      "`detector` runs detectors (always, in production); `noop` succeeds without spawning, for benchmarks and claim-only tests.",
  },
  EXECUTOR_NOOP_DELAY_MS: {
    default: "0",
    meaning: "How long a `noop` run takes (benchmarks and tests only).",
  },
  DETECTOR_DISK_MB: {
    default: "256",
    meaning:
      "Disk a detector run may fill: the largest file it may write (RLIMIT_FSIZE) and the size of its private `/tmp`; a run that leaves more than this in its run folder fails, and its files are removed.",
  },
  DETECTOR_MAX_OPEN_FILES: {
    default: "256",
    meaning: "Open files (RLIMIT_NOFILE) of each detector process.",
  },
  SANDBOX_REQUIRE: {
    default: "",
    meaning:
      "Comma-separated sandbox layers the executor must hold for every run (mount_namespace, pid_namespace, network_namespace, other_uid, memory_cap, disk_cap, process_cap, permission_model). A layer this host cannot provide stops the process at start with the reason; a run that did not get one fails.",
  },
  DRY_RUN_CONCURRENCY: {
    default: "2",
    meaning:
      "Dry runs (`POST /projects/{id}/dry-run`) waiting at once in each API process, whatever the token; beyond it 429 with `Retry-After`. The executors run them (EXECUTOR_DRY_RUN_CONCURRENCY each).",
  },
  DRY_RUN_CONCURRENCY_PER_TOKEN: {
    default: "1",
    meaning:
      "Dry runs one token may have in flight at once in each API process; beyond it 429 with `Retry-After`.",
  },
  DRY_RUN_WAIT_SECONDS: {
    default: "30",
    meaning:
      "How long past the project's `timeout_seconds` an API process waits for an executor to answer a dry run (1 to 3600). No executor took it by then: 503 `unavailable`, and the request is withdrawn.",
  },
  DETECTOR_WORK_DIR_MAX_MB: {
    default: "1024",
    meaning:
      "Disk budget for `WORK_DIR`; least recently used detectors are removed beyond it.",
  },
  RUN_FOLDER_RETENTION_HOURS: {
    default: "72",
    meaning:
      "How long a run's folder in `WORK_DIR` (`<project>/runs/<execution>/`: its input rows and output) is kept at most (1 to 87600). It goes sooner when its execution is pruned by the cleaner or its project deleted (checked every 10 minutes).",
  },
  EXECUTION_INPUTS: {
    default: "true",
    meaning:
      "Keep each execution's loaded input (its rows gzip-compressed in `execution_inputs`, with its window, the rules' parameters and the detector hash), so `POST /executions/{id}/replay` and dry runs with `execution_id` work from any replica. `false`: nothing is kept and replays answer 409.",
  },
  EXECUTION_INPUT_MAX_BYTES: {
    default: "16mb",
    meaning:
      'Largest compressed input kept per execution (b, kb, mb, gb); a larger one is not kept and its execution says so (`input: { kept: false, reason: "too_large" }`).',
  },
  REPORT_URL: {
    secret: "value",
    meaning:
      "Global report receiver (http/https) when a project sets none. Webhook URLs embed tokens, so the whole URL is treated as a secret.",
  },
  REPORT_SIGNING_SECRET: {
    secret: "value",
    meaning: `HMAC key for the \`Vigil-Signature\` header, at least ${MIN_REPORT_SECRET_LENGTH} characters. Unset: reports are unsigned.`,
  },
  REPORT_ALLOW_PRIVATE_NETWORKS: {
    default: "false",
    meaning:
      "Allow report, alert and channel URLs on loopback or private addresses (development and tests; `npm start` turns it on and says so). Off, such a URL is dead-lettered at once, its error naming this variable.",
  },
  SMTP_URL: {
    secret: "url-password",
    meaning:
      "SMTP server for email channels as one URL (`smtp://user:password@host:587` or `smtps://host:465`); wins over SMTP_HOST and the rest. With neither set, email deliveries fail naming these variables and are retried (until REPORT_MAX_ATTEMPTS).",
  },
  SMTP_HOST: {
    meaning: "SMTP server host for email channels (when SMTP_URL is unset).",
  },
  SMTP_PORT: {
    computedDefault: "465 with SMTP_SECURE, else 587",
    meaning: "SMTP server port.",
  },
  SMTP_SECURE: {
    default: "false",
    meaning:
      "Implicit TLS from the first byte (port 465). False: plain connection, upgraded per SMTP_STARTTLS.",
  },
  SMTP_STARTTLS: {
    default: "opportunistic",
    meaning:
      "`required`: refuse to send unless the server upgrades to TLS with STARTTLS; `opportunistic`: upgrade when offered; `never`: do not upgrade (local test servers only).",
  },
  SMTP_USER: {
    meaning: "SMTP login user; unset: no authentication.",
  },
  SMTP_PASSWORD: {
    secret: "value",
    meaning: "SMTP login password (with SMTP_USER).",
  },
  SMTP_FROM: {
    meaning:
      "Sender address of email channels that set no `from`, e.g. `vigil@example.com`.",
  },
  REPORT_MAX_ATTEMPTS: {
    default: "10",
    meaning: "Delivery attempts before a report is dead-lettered.",
  },
  REPORT_TIMEOUT_MS: {
    default: "10000",
    meaning:
      "Timeout of one delivery attempt (an HTTP request, or each SMTP connect, greeting and reply).",
  },
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
  LEADER_RETRY_MS: {
    default: "1500",
    meaning:
      "How often a standby trigger-creator tries to take the leader lock: it takes over at most this long after the leader is gone.",
  },
  TRIGGER_WRITE_CONCURRENCY: {
    default: "2",
    meaning:
      "Trigger batches a pass writes at once, each on its own connection (keep below DATABASE_POOL_SIZE).",
  },
  TRIGGER_HORIZON_SECONDS: {
    default: "300",
    meaning: "How far ahead fire times are materialized as `triggers` rows.",
  },
  TRIGGER_BATCH_SIZE: {
    default: "1000",
    meaning:
      "Schedules read, planned and written per batch of a pass (their trigger rows go in one statement).",
  },
  MISFIRE_MAX_CATCHUP: {
    default: "100",
    meaning:
      "After downtime, most missed fire times run per schedule (policy permitting).",
  },
  WATCHDOG_INTERVAL_MS: {
    default: "60000",
    meaning:
      "How often the leading trigger-creator's watchdog looks for silent schedules (docs/operations.md, Watchdog).",
  },
  WATCHDOG_GRACE_SECONDS: {
    default: "300",
    meaning:
      "Added to a project's `timeout_seconds`: a fire time with no finished run this long after it opens a watchdog episode.",
  },
  RETENTION_KEEP_LAST: {
    default: "100",
    meaning:
      "Executions kept per project, newest first; older ones are pruned (failed ones excepted when `RETENTION_FAILED_MAX_AGE_DAYS` is set). A project's `retention.keep_last` overrides it.",
  },
  RETENTION_MAX_AGE_DAYS: {
    default: "30",
    meaning:
      "Executions older than this are pruned, except each project's latest finished one and the evidence of open discrepancies. Also the age limit of `maintenance_runs` and of closed `watchdog_episodes`. Override: `retention.max_age_days`.",
  },
  RETENTION_FAILED_MAX_AGE_DAYS: {
    meaning:
      "When set, failed, timed-out, partial and lost executions are kept this long instead, regardless of `RETENTION_KEEP_LAST`. Unset: they follow the other two rules. Override: `retention.failed_max_age_days`.",
  },
  RETENTION_TRIGGERS_MAX_AGE_DAYS: {
    default: "7",
    meaning:
      "Finished triggers are pruned this long after they finished, once no execution refers to them. Pending and running ones never.",
  },
  RETENTION_REPORTS_DELIVERED_DAYS: {
    default: "7",
    meaning:
      "Delivered outbox reports (and their delivery attempts) are pruned this long after delivery.",
  },
  RETENTION_REPORTS_DEAD_DAYS: {
    default: "30",
    meaning:
      "Dead-lettered outbox reports are pruned this long after they were given up.",
  },
  RETENTION_DEAD_WORKERS_DAYS: {
    default: "1",
    meaning:
      "`workers` rows that are dead or stopped are deleted this long after they stopped.",
  },
  RETENTION_AUDIT_DAYS: {
    default: "365",
    meaning:
      "Audit events (`GET /audit`) are kept this long; older ones are pruned oldest first, only ever a prefix of the hash chain, so `vigil audit verify` keeps passing.",
  },
  EXECUTION_INPUT_RETENTION_DAYS: {
    default: "7",
    meaning:
      "Kept execution inputs are pruned this long after their run, oldest first, separately from (and usually well before) their executions; the execution then says `pruned_age`.",
  },
  EXECUTION_INPUT_TOTAL_MB: {
    meaning:
      "When set, the most compressed input kept across all executions: beyond it the oldest are pruned first (`pruned_total`). Unset: only the age limit applies.",
  },
  WORKER_STALE_SECONDS: {
    default: "60",
    meaning:
      "A worker whose heartbeat is older than this is marked dead by the cleaner.",
  },
  CLEANER_INTERVAL_SECONDS: {
    default: "60",
    meaning: "Pause between cleaning passes.",
  },
  CLEANER_BATCH_SIZE: {
    default: "100",
    meaning:
      "Most rows deleted per statement (one short transaction each). bench/cleaner: 100 kept claim p99 within 2x during a 1M-row prune; 1,000 pruned faster but raised claim p99 4x.",
  },
  CLEANER_BATCH_PAUSE_MS: {
    default: "2",
    meaning:
      "Pause between two delete batches, leaving the database to the executors' claims (see bench/cleaner).",
  },
  VIGIL_PG_PORT: {
    default: "54329",
    meaning: "Port of the embedded PostgreSQL started by `npm start`.",
  },
  VIGIL_DATA_DIR: {
    default: ".vigil",
    meaning:
      "Local state of `npm start`: `pgdata/` (the embedded database) and logs.",
  },
};

export interface EnvVar extends EnvVarDoc {
  name: EnvVarName;
  /** Fragments that define the variable, e.g. `["executorEnv", "triggerCreatorEnv"]`. */
  fragments: (keyof typeof ENV_FRAGMENTS)[];
  apps: AppName[];
}

function describeVariable(name: EnvVarName): EnvVar {
  const fragments = (
    Object.keys(ENV_FRAGMENTS) as (keyof typeof ENV_FRAGMENTS)[]
  ).filter((fragment) => name in ENV_FRAGMENTS[fragment].shape);
  const apps = new Set<AppName>(
    fragments.flatMap((fragment) => ENV_FRAGMENTS[fragment].apps),
  );
  return { name, ...DOCS[name], fragments, apps: [...apps] };
}

/** Every variable Vigil reads: the single source of the README's env table. */
export const ENV_VARS: readonly EnvVar[] = (
  Object.keys(DOCS) as EnvVarName[]
).map(describeVariable);
