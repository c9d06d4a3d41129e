import type { EnvVarDoc } from "../env-vars.js";
import type { EnvVarName } from "../fragments/index.js";

/** The variables of the executor, its detectors and dry runs, in the order the README's table lists them. */
export const executorDocs = {
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
} satisfies Partial<Record<EnvVarName, EnvVarDoc>>;
