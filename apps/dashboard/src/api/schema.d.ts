// Generated from the API's /openapi.json by `npm run api-schema -w @vigil/dashboard`.
// Do not edit: test/api-schema.test.ts fails when this file differs from the API.
/* eslint-disable -- generated code, checked by the test above instead */
export interface paths {
  "/health": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The process is up (no database check: use /ready for that) */
    get: operations["get_health"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/ready": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The database is reachable and every migration is applied */
    get: operations["get_ready"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/status": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Live workers per app with heartbeats, pool sizes, running count, queue depth and lag, the schedules the watchdog found silent, and the database's health: table and index sizes, dead tuples, vacuum times, the oldest transaction, standbys and their lag */
    get: operations["get_status"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/metrics": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics of this API process: requests by route and status, their duration, process figures (database-wide gauges: the leading trigger-creator's /metrics) */
    get: operations["get_metrics"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/queue": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The next pending triggers, soonest first, with project name, fire time, cron and timezone */
    get: operations["get_queue"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/stats": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Executions by status, success rate and duration percentiles, and skipped runs by reason, for a time window (default: the last 24 hours) and optionally one project */
    get: operations["get_stats"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/refresh": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Re-validates every project, schedule and rule, reports the problems, and wakes the trigger-creators */
    post: operations["post_projects_refresh"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/trigger": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Runs the project now: a manual trigger, optionally for a given data window */
    post: operations["post_projects_id_trigger"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/data": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Uploads a dataset for a project with a manual data source (JSON rows or CSV; size-limited by API_UPLOAD_LIMIT) */
    post: operations["post_projects_id_data"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/cleanup": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Deletes the project's finished history now: finished executions and triggers, delivered reports, resolved discrepancies */
    delete: operations["delete_projects_id_cleanup"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/dry-run": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Runs the project's detector now, with rules, rows, window or config of the request, and answers its findings and the plan of what it would open, reopen and resolve; changes nothing
     * @description An executor runs it (handed over through the database): in its sandbox, with the project's limits, timeout and import policy, and with the data source's credentials the executors hold. A rule that throws, loops or imports what it may not is answered 200 with its error in `rules` or `outcome`. Without `rows` the project's source is read for `window` (default: the window of the project's next scheduled run; a run starting now without a schedule). Dry runs in flight are limited per token and per API process (429 with Retry-After). No executor answering within the project's `timeout_seconds` plus DRY_RUN_WAIT_SECONDS: 503 `unavailable`, and the request is withdrawn.
     */
    post: operations["post_projects_id_dry-run"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/backfill": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Runs the project once for each window of a past range (one `backfill` trigger per window, at most `concurrency` unfinished at a time); a window an earlier backfill already covers is not run again */
    post: operations["post_projects_id_backfill"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/backfills/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A backfill's progress: its windows by status (pending, running, succeeded, failed, skipped, cancelled), those not reached yet, and whether it is running, done or cancelled */
    get: operations["get_backfills_id"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/backfills/{id}/cancel": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancels a backfill: no further trigger is made, its not-yet-started triggers are cancelled, running ones finish; cancelling a cancelled one changes nothing */
    post: operations["post_backfills_id_cancel"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Projects in id order, with keyset pagination; `include=overview` adds each one's latest execution, next run and open discrepancies by severity */
    get: operations["get_projects"];
    put?: never;
    /** Creates a project with its settings, schedules and rules in one transaction */
    post: operations["post_projects"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A project with its schedules (and their next runs), rules, last execution and the success rate of its latest 100 executions */
    get: operations["get_projects_id"];
    /** Makes the project exactly this (declarative apply): settings, schedules and rules, in one transaction */
    put: operations["put_projects_id"];
    post?: never;
    /** Deletes a project with its schedules, rules and history */
    delete: operations["delete_projects_id"];
    options?: never;
    head?: never;
    /** Changes a project's settings (name, description, is_active, config); bumps its version */
    patch: operations["patch_projects_id"];
    trace?: never;
  };
  "/projects/{id}/schedules": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A project's schedules with their next runs */
    get: operations["get_projects_id_schedules"];
    put?: never;
    /** Adds a schedule (cron and IANA timezone validated as the trigger-creator does) */
    post: operations["post_projects_id_schedules"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/schedules/{scheduleId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One schedule with its next runs */
    get: operations["get_projects_id_schedules_scheduleId"];
    put?: never;
    post?: never;
    /** Deletes a schedule (its past triggers stay, without a schedule) */
    delete: operations["delete_projects_id_schedules_scheduleId"];
    options?: never;
    head?: never;
    /** Changes a schedule; a new cron, timezone or policy bumps its version */
    patch: operations["patch_projects_id_schedules_scheduleId"];
    trace?: never;
  };
  "/projects/{id}/rules": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A project's rules with their code */
    get: operations["get_projects_id_rules"];
    put?: never;
    /** Adds a rule; its code must parse as an ES module exporting detect */
    post: operations["post_projects_id_rules"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/rules/{ruleId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One rule with its code */
    get: operations["get_projects_id_rules_ruleId"];
    put?: never;
    post?: never;
    /** Deletes a rule */
    delete: operations["delete_projects_id_rules_ruleId"];
    options?: never;
    head?: never;
    /** Changes a rule; new code is checked before it is stored */
    patch: operations["patch_projects_id_rules_ruleId"];
    trace?: never;
  };
  "/failures": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The latest failed, timed-out and lost executions across projects (newest first, with their error), within the last `hours`; the latest `limit`, no further pages */
    get: operations["get_failures"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/executions": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A project's executions, newest first; filter by status and scheduled time; pages stay stable while rows are added */
    get: operations["get_projects_id_executions"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/runs": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A project's runs (its triggers), newest first, with their final state and reason: runs that never started (skipped by a policy or a deadline, missed, cancelled) next to those that did */
    get: operations["get_projects_id_runs"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/executions/{id}/changes": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What one execution did to its project's discrepancies: opened, reopened, escalated, resolved, expired (a finding without a change was seen again) */
    get: operations["get_executions_id_changes"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/executions/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One execution: timing, exit code, output tails, rule results and findings */
    get: operations["get_executions_id"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/executions/{id}/replay": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Runs an execution again on its stored input (rows and window) with the project's current rules: a new `replay` trigger, run by any executor; 409 when its input was not kept or was pruned */
    post: operations["post_executions_id_replay"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/discrepancies": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A project's discrepancies, what needs attention first: regressions, open, acknowledged, muted, then resolved and expired (those of the last resolved_within_hours); within each the most severe, then the most recently seen */
    get: operations["get_projects_id_discrepancies"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Triage many discrepancies with one change, in one transaction: every one of them changes, or none does (a missing one is a 404, one that may not move a 409, each naming them) */
    patch: operations["patch_projects_id_discrepancies"];
    trace?: never;
  };
  "/projects/{id}/discrepancies/{fingerprint}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One discrepancy, every change of its state (who, when, from, to, why, in which execution; the first 500), and the executions that found it (the newest 100) */
    get: operations["get_projects_id_discrepancies_fingerprint"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Triage one discrepancy: acknowledge (with an assignee and a note), mute until an instant (with a reason), resolve by hand (with a reason), or open it again; one event records who, when and why
     * @description Allowed from: acknowledged and muted from open, acknowledged or muted; resolved from open, acknowledged or muted; open from acknowledged, muted, resolved or expired. Anything else is a 409 naming the current status. A muted discrepancy is still evaluated by every run and opens again when its mute ends and it still fails; a resolved one found again is reopened as a regression.
     */
    patch: operations["patch_projects_id_discrepancies_fingerprint"];
    trace?: never;
  };
  "/executions/{id}/deliveries": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The report and alert of one execution, with every delivery attempt (status code, latency, error) */
    get: operations["get_executions_id_deliveries"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/reports/dead": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Dead-lettered reports and alerts (all attempts spent), newest first */
    get: operations["get_reports_dead"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/reports/{id}/requeue": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Re-queue a dead letter: a fresh attempt budget, due now, ahead of newer reports of its project */
    post: operations["post_reports_id_requeue"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/channels/test": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send a test message to a project's channel, or to a channel config, and answer what the receiver answered
     * @description Sent from the API process with its REPORT_* and SMTP_* settings and its environment's `VIGIL_SECRET_*` variables (not the executor's SECRETS_DIR). A refusal is still a 200: `delivered` is false and `error` says why; `permanent` says whether the outbox would dead-letter it at once.
     */
    post: operations["post_channels_test"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/audit": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Audit events newest first, filtered by exact target, actor and action, with keyset pagination */
    get: operations["get_audit"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/cron/preview": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The next N fire times of a cron expression in a timezone, from now or a given instant (e.g. across a coming DST change) */
    post: operations["post_cron_preview"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/tokens": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every token, revoked and expired ones too, by name: scopes, projects, last use; never a secret */
    get: operations["get_tokens"];
    put?: never;
    /** Makes a token with scopes and optionally a project list and an expiry; the answer is the only place its secret is ever shown */
    post: operations["post_tokens"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/tokens/{name}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revokes a token: it is refused from now on (by other API replicas within seconds); the row stays for the record */
    delete: operations["delete_tokens_name"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/openapi.json": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This API's OpenAPI 3.1 document */
    get: operations["get_openapi.json"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/docs": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Swagger UI for this API */
    get: operations["get_docs"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Health: {
      /** @enum {string} */
      status: "healthy";
      version: string;
      uptime_seconds: number;
      /** Format: date-time */
      time: string;
    };
    ApiError: {
      error: {
        /** @enum {string} */
        code:
          | "bad_request"
          | "malformed_json"
          | "invalid_query"
          | "invalid_parameter"
          | "too_deeply_nested"
          | "forbidden_key"
          | "invalid_text"
          | "unauthorized"
          | "invalid_token"
          | "forbidden"
          | "not_found"
          | "route_not_found"
          | "conflict"
          | "payload_too_large"
          | "unsupported_media_type"
          | "rate_limited"
          | "validation_failed"
          | "invalid_schedule"
          | "invalid_rule_code"
          | "invalid_dataset"
          | "not_ready"
          | "unavailable"
          | "internal";
        message: string;
        details?: unknown;
      };
    };
    Ready: {
      /** @enum {string} */
      status: "ready";
      /** @enum {string} */
      database: "ok";
      pending_migrations: string[];
    };
    Status: {
      /** @enum {string} */
      status: "ok" | "degraded";
      /** Format: date-time */
      time: string;
      apps: {
        [key: string]: {
          workers: number;
          concurrency: number;
          running: number;
        };
      };
      workers: components["schemas"]["Worker"][];
      queue: components["schemas"]["QueueDepth"];
      api_pool: {
        total: number;
        idle: number;
        waiting: number;
      };
      last_cleanup: {
        worker_id: string | null;
        /** Format: date-time */
        started_at: string;
        /** Format: date-time */
        finished_at: string;
        duration_ms: number | null;
        pruned: {
          [key: string]: number;
        };
        error: string | null;
      } | null;
      watchdog: {
        open_episodes: components["schemas"]["WatchdogEpisode"][];
      };
      database: components["schemas"]["DatabaseHealth"];
    };
    Worker: {
      id: string;
      app: string;
      hostname: string;
      pid: number;
      version: string;
      status: string;
      concurrency: number | null;
      running: number;
      /** Format: date-time */
      started_at: string;
      /** Format: date-time */
      last_heartbeat_at: string;
      heartbeat_age_seconds: number;
    };
    QueueDepth: {
      due: number;
      pending: number;
      running: number;
      oldest_due_lag_seconds: number;
    };
    WatchdogEpisode: {
      id: number;
      project_id: string;
      project_name: string;
      schedule_id: number | null;
      cron_expression: string | null;
      timezone: string | null;
      since: string;
      expected_at: string;
      last_finished_at: string | null;
      /** @enum {string} */
      reason: "missed" | "stuck" | "skipped" | "cancelled" | "no_trigger";
      detail: string;
      alerted_at: string | null;
    };
    DatabaseHealth: {
      /** @description every table of Vigil's schema, by name */
      tables: components["schemas"]["TableHealth"][];
      /** @description the oldest open transaction on the database: a long one holds back vacuum */
      oldest_transaction: {
        /** @description 0: no transaction open but the one reading this */
        age_seconds: number;
        application_name: string | null;
        state: string | null;
      };
      /** @description age(datfrozenxid): transactions since the oldest unfrozen xid */
      frozen_xid_age: number;
      /** @description the primary's streaming standbys (pg_stat_replication) */
      replicas: {
        name: string;
        client_addr: string | null;
        state: string;
        replay_lag_seconds: number;
        replay_lag_bytes: number | null;
      }[];
      /** @description the DATABASE_READ_URL connection; null: reads use the primary */
      read_replica: {
        /** @description true: the read connection is on a standby */
        in_recovery: boolean;
        /** @description seconds since the last transaction it replayed committed (null: none yet; grows while the primary is idle too) */
        last_replay_age_seconds: number | null;
        pool: {
          total: number;
          idle: number;
          waiting: number;
        };
      } | null;
    };
    TableHealth: {
      table: string;
      /** @description heap, indexes and TOAST (pg_total_relation_size) */
      total_bytes: number;
      /** @description its indexes (pg_indexes_size) */
      index_bytes: number;
      live_tuples: number;
      /** @description rows deleted or updated that vacuum has not reclaimed yet */
      dead_tuples: number;
      /** Format: date-time */
      last_autovacuum: string | null;
      /** Format: date-time */
      last_autoanalyze: string | null;
      /** Format: date-time */
      last_vacuum: string | null;
      /** Format: date-time */
      last_analyze: string | null;
    };
    Queue: components["schemas"]["QueueItem"][];
    QueueItem: {
      trigger_id: number;
      project_id: string;
      project_name: string;
      schedule_id: number | null;
      /** Format: date-time */
      next_run: string;
      /** Format: date-time */
      available_at: string;
      /** @enum {string} */
      source:
        "schedule" | "manual" | "retry" | "catchup" | "backfill" | "replay";
      attempt: number;
      cron_expression: string | null;
      timezone: string | null;
    };
    Stats: {
      total: number;
      pending: number;
      running: number;
      success: number;
      partial: number;
      failed: number;
      cancelled: number;
      timeout: number;
      lost: number;
      success_rate: number | null;
      project_id: string | null;
      skipped_runs: {
        total: number;
        misfire: number;
        missed_deadline: number;
        concurrency_forbid: number;
        project_inactive: number;
        other: number;
      };
      /** Format: date-time */
      from: string;
      /** Format: date-time */
      to: string;
      duration_ms: {
        p50: number | null;
        p95: number | null;
        avg: number | null;
        max: number | null;
      };
    };
    RefreshResult: {
      checked: {
        projects: number;
        schedules: number;
        rules: number;
      };
      problems: {
        project_id: string;
        /** @enum {string} */
        kind: "project" | "schedule" | "rule";
        ref: string | number | null;
        message: string;
      }[];
    };
    Trigger: {
      id: number;
      project_id: string;
      /** @enum {string} */
      source:
        "schedule" | "manual" | "retry" | "catchup" | "backfill" | "replay";
      status: string;
      /** Format: date-time */
      fire_at: string;
      /** Format: date-time */
      window_start: string | null;
      /** Format: date-time */
      window_end: string | null;
      requested_by: string | null;
      /** Format: date-time */
      created_at: string;
    };
    TriggerRunRequest: {
      /** Format: date-time */
      window_start?: string;
      /** Format: date-time */
      window_end?: string;
    };
    Dataset: {
      id: number;
      project_id: string;
      /** @enum {string} */
      format: "json" | "csv";
      filename: string | null;
      row_count: number;
      size_bytes: number;
      sha256: string;
      uploaded_by: string | null;
      /** Format: date-time */
      uploaded_at: string;
    };
    DatasetJsonUpload:
      | {
          [key: string]: unknown;
        }[]
      | {
          rows: {
            [key: string]: unknown;
          }[];
        };
    CleanupResult: {
      project_id: string;
      deleted: {
        executions: number;
        triggers: number;
        reports: number;
        discrepancies: number;
      };
    };
    DryRunResponse: {
      project_id: string;
      /**
       * @description What the detector ran on.
       * @enum {string}
       */
      input: "source" | "rows" | "execution";
      outcome: components["schemas"]["DryRunOutcome"];
      window: {
        start: string;
        end: string;
      };
      row_count: number | null;
      detector_hash: string | null;
      duration_ms: number;
      rules: components["schemas"]["DryRunRuleResult"][];
      findings: components["schemas"]["DryRunFinding"][];
      /** @description Null when the rules did not run (a timeout, a crash, a rejected detector): such a run changes nothing. */
      plan: {
        /**
         * @description `source`: the rows a real run would read; `sample`: only the rows given, so nothing is said about rows not given.
         * @enum {string}
         */
        scope: "source" | "sample";
        /** @description What the plan cannot tell, for a sample. */
        note: string | null;
        /** @description Whether `would_resolve` is meaningful: false for a sample of a project with no `data_source.key`, whose rows cannot be told apart. */
        resolutions_planned: boolean;
        /** @description New discrepancies. */
        would_open: components["schemas"]["DryRunPlanEntry"][];
        /** @description Resolved or expired ones seen again, and mutes that ran out. */
        would_reopen: components["schemas"]["DryRunPlanEntry"][];
        /** @description Tracked ones the run would resolve (or expire). */
        would_resolve: components["schemas"]["DryRunPlanEntry"][];
        /** @description Tracked ones seen again (`escalated` says when the severity rises). */
        unchanged: components["schemas"]["DryRunPlanEntry"][];
      } | null;
    };
    DryRunOutcome: {
      /**
       * @description How the run ended, as an execution's outcome.
       * @enum {string}
       */
      kind: "succeeded" | "failed" | "timed_out" | "rejected" | "cancelled";
      /**
       * @description The status an execution of this run would get.
       * @enum {string}
       */
      status:
        "success" | "partial" | "failed" | "timeout" | "cancelled" | "lost";
      /** @description For `rejected` and `cancelled`: why (invalid_rules, missing_dependency, ...). */
      reason: string | null;
      message: string | null;
    };
    DryRunRuleResult: {
      rule_id: string;
      /** @enum {string} */
      status: "ok" | "error";
      duration_ms: number;
      findings: number;
      error: string | null;
      /** @description Line in the rule's code where its error was thrown (1-based). */
      line: number | null;
      column: number | null;
    };
    DryRunFinding: {
      rule_id: string;
      key: string;
      row_key: string | null;
      fingerprint: string;
      /** @enum {string} */
      severity: "info" | "low" | "medium" | "high" | "critical";
      message: string;
      data?: unknown;
    };
    DryRunPlanEntry: {
      fingerprint: string;
      rule_id: string;
      finding_key: string;
      /**
       * @description The transition the executor would record (docs/discrepancies.md).
       * @enum {string}
       */
      change:
        | "new"
        | "reopened"
        | "escalated"
        | "unmuted"
        | "still_open"
        | "resolved"
        | "expired";
      /**
       * @description Its status after the run.
       * @enum {string}
       */
      status: "open" | "acknowledged" | "muted" | "resolved" | "expired";
      /**
       * @description Its status now; null: it does not exist yet.
       * @enum {string|null}
       */
      previous_status:
        "open" | "acknowledged" | "muted" | "resolved" | "expired" | null;
      /** @enum {string} */
      severity: "info" | "low" | "medium" | "high" | "critical";
      /** @enum {string} */
      previous_severity: "info" | "low" | "medium" | "high" | "critical";
      /** @description The run would raise its severity (`change: escalated`). */
      escalated: boolean;
      message: string;
    };
    DryRunRequest: {
      /** @description Rules to try: one with the `rule_id` of a stored rule replaces it, any other is added; `is_active: false` leaves that rule out. Unset: the stored rules. */
      rules?: {
        /** @description Unique within the project; part of each finding's fingerprint, so renaming a rule opens its findings afresh. */
        rule_id: string;
        /**
         * @description Free reference to where the rule came from.
         * @default null
         */
        definition_id: string | null;
        /**
         * @description What the rule checks, for people.
         * @default
         */
        description: string;
        /**
         * @description Free grouping.
         * @default general
         */
        category: string;
        /**
         * @description The severity of a finding that does not set its own.
         * @default medium
         * @enum {string}
         */
        severity: "info" | "low" | "medium" | "high" | "critical";
        /**
         * @description The rule in words, for reviewers.
         * @default
         */
        logic: string;
        /** @description JavaScript (an ES module) exporting `detect(rows, params, ctx)`; see "The rule contract". */
        code: string;
        /**
         * @description What to do about a finding, for whoever triages it.
         * @default
         */
        explanation: string;
        /**
         * @description Passed to `detect` as `params`.
         * @default {}
         */
        parameters: {
          [key: string]: unknown;
        };
        /**
         * @description Free list of what the rule relies on (tables, fields).
         * @default []
         */
        dependencies: string[];
        /**
         * @description An inactive rule is not run.
         * @default true
         */
        is_active: boolean;
      }[];
      /** @description Rows to run on instead of the project's source (a sample): the source's `key` still names their keys, and the plan says nothing about rows not given. */
      rows?: {
        [key: string]: unknown;
      }[];
      /** @description Run on the stored input (rows and window) of this past execution. */
      execution_id?: number;
      /** @description The data window the source is read for. Unset: the window of a run starting now (`lookback` ending `settle` ago). */
      window?: {
        /**
         * Format: date-time
         * @description Start of the data window (inclusive).
         */
        start: string;
        /**
         * Format: date-time
         * @description End of the data window (exclusive).
         */
        end: string;
      };
      /** @description A whole project config to run with instead of the stored one (e.g. a shorter `timeout_seconds`). */
      config?: {
        /** @description Where each run reads its rows. */
        data_source:
          | {
              /**
               * @description Rows from one SQL query.
               * @enum {string}
               */
              type: "sql";
              /**
               * @description The database's protocol.
               * @enum {string}
               */
              driver: "postgres" | "mysql";
              /** @description The secret holding the connection URL (`postgres://user:password@host:5432/db`). */
              url_env: string;
              /** @description The query. `:start` and `:end` are the execution window (timestamps); `:name` is a value of `params`. Every `:name` is sent as a bound parameter, never pasted into the text. */
              query: string;
              /**
               * @description Values for the query's `:name` parameters; `start` and `end` are reserved for the window.
               * @default {}
               */
              params: {
                [key: string]: string | number | boolean | null;
              };
              /**
               * @description The query is cancelled after this many seconds.
               * @default 30
               */
              timeout_seconds: number;
              /**
               * @description A query returning more rows fails the run.
               * @default 1000000
               */
              max_rows: number;
              /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
              key?: string | string[];
            }
          | {
              /**
               * @description Rows from a JSON HTTP API.
               * @enum {string}
               */
              type: "http";
              /**
               * Format: uri
               * @description The first request's URL; no credentials in it (use `auth`).
               */
              url: string;
              /**
               * @description HTTP method.
               * @default GET
               * @enum {string}
               */
              method: "GET" | "POST";
              /**
               * @description Extra request headers; `Authorization`, `Proxy-Authorization` and `Cookie` are refused (use `auth`).
               * @default {}
               */
              headers: {
                [key: string]: string;
              };
              /** @description JSON request body; only with `POST`. */
              body?:
                | string
                | number
                | boolean
                | null
                | components["schemas"]["JsonValue"][]
                | {
                    [key: string]: components["schemas"]["JsonValue"];
                  };
              /** @description How requests authenticate; each credential comes from a secret. */
              auth?:
                | {
                    /**
                     * @description `Authorization: Bearer <token>`.
                     * @enum {string}
                     */
                    type: "bearer";
                    /** @description The secret holding the token. */
                    token_env: string;
                  }
                | {
                    /**
                     * @description HTTP Basic authentication.
                     * @enum {string}
                     */
                    type: "basic";
                    /** @description The secret holding the user name. */
                    username_env: string;
                    /** @description The secret holding the password. */
                    password_env: string;
                  }
                | {
                    /**
                     * @description A key in a header or query parameter.
                     * @enum {string}
                     */
                    type: "api_key";
                    /** @description The secret holding the key. */
                    value_env: string;
                    /** @description Header carrying the key; `X-API-Key` when neither `header` nor `query` is set. */
                    header?: string;
                    /** @description Query parameter carrying the key instead of a header. */
                    query?: string;
                  };
              /** @description How to fetch further pages; unset: one request. */
              pagination?:
                | {
                    /**
                     * @description Numbered pages.
                     * @enum {string}
                     */
                    type: "page";
                    /** @description Query parameter holding the page number. */
                    param: string;
                    /**
                     * @description First page number.
                     * @default 1
                     */
                    start: number;
                    /** @description Query parameter holding the page size; goes with `size`. */
                    size_param?: string;
                    /** @description Rows per page, sent in `size_param`. */
                    size?: number;
                  }
                | {
                    /**
                     * @description An offset and a limit.
                     * @enum {string}
                     */
                    type: "offset";
                    /** @description Query parameter holding the offset (0, limit, 2 x limit, ...). */
                    param: string;
                    /** @description Query parameter holding the limit. */
                    limit_param: string;
                    /** @description Rows per request; a shorter page ends paging. */
                    limit: number;
                  }
                | {
                    /**
                     * @description A cursor from each response.
                     * @enum {string}
                     */
                    type: "cursor";
                    /** @description Query parameter the next cursor is sent in. */
                    param: string;
                    /** @description Dot path of the next cursor in the response body; empty or missing ends paging. */
                    cursor_path: string;
                  }
                | {
                    /**
                     * @description The `Link: <...>; rel="next"` response header (RFC 8288).
                     * @enum {string}
                     */
                    type: "link";
                  };
              /** @description Dot path of the rows array in the body (`data.items`); unset: the body must be an array. */
              items_path?: string;
              /**
               * @description Paging stops after this many requests.
               * @default 100
               */
              max_pages: number;
              /**
               * @description Each request is aborted after this many seconds.
               * @default 30
               */
              timeout_seconds: number;
              /**
               * @description More rows than this fails the run.
               * @default 1000000
               */
              max_rows: number;
              /**
               * @description A larger response body fails the run.
               * @default 52428800
               */
              max_response_bytes: number;
              /**
               * @description Opt in to private and loopback targets; the operator must allow them too (DATASOURCE_ALLOW_PRIVATE_NETWORKS).
               * @default false
               */
              allow_private_network: boolean;
              /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
              key?: string | string[];
            }
          | {
              /**
               * @description Rows from the latest dataset uploaded with `POST /projects/{id}/data`.
               * @enum {string}
               */
              type: "manual";
              /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
              key?: string | string[];
            };
        /**
         * Format: duration
         * @description Length of each run's window: rows from `end - lookback` to `end` (`:start`, `:end`).
         * @default PT1H
         */
        lookback: string;
        /**
         * Format: duration
         * @description The window ends this long before the fire time, so rows still settling are not flagged; unset: it ends at the fire time.
         */
        settle?: string;
        /**
         * @description The detector is stopped after this many seconds, counted from the end of the load (a SQL or HTTP source has its own `data_source.timeout_seconds`); the rule that was running is named.
         * @default 600
         */
        timeout_seconds: number;
        /**
         * @description Heap limit of the detector process.
         * @default 512
         */
        memory_mb: number;
        /**
         * @description Attempts per trigger; a failed attempt below this is retried.
         * @default 1
         */
        max_attempts: number;
        /**
         * @description Runs of this project at once, across every executor.
         * @default 1
         */
        max_concurrency: number;
        /**
         * @description Findings kept per rule and run. A rule that returns more keeps its first this many; the rest are counted (`findings_truncated` on the execution, its rule result and the report) and none of that rule's discrepancies is resolved by the run, since its unseen findings could be among them.
         * @default 10000
         */
        max_findings_per_rule: number;
        /** @description The team whose TEAM_MAX_RUNNING limit this project's runs count against; unset: none. */
        team?: string;
        /** @description Notification channels that `report.channels` and `alert.channels` name. */
        channels?: (
          | {
              /** @description What `report.channels` and `alert.channels` call it. */
              name: string;
              /**
               * @description A signed JSON POST.
               * @enum {string}
               */
              kind: "webhook";
              /** @description The secret holding the URL; the body is signed with REPORT_SIGNING_SECRET as reports are. */
              url_env: string;
            }
          | {
              /** @description What `report.channels` and `alert.channels` call it. */
              name: string;
              /**
               * @description A Slack-style incoming webhook.
               * @enum {string}
               */
              kind: "slack";
              /** @description The secret holding the incoming-webhook URL. */
              url_env: string;
            }
          | {
              /** @description What `report.channels` and `alert.channels` call it. */
              name: string;
              /**
               * @description Mail through the executor's SMTP_URL.
               * @enum {string}
               */
              kind: "email";
              /** @description Recipients. */
              to: string[];
              /** @description Sender; unset: SMTP_FROM of the executor. */
              from?: string;
              /** @description Put before every subject, e.g. `[billing]`. */
              subject_prefix?: string;
            }
        )[];
        /**
         * @description Reports of each run's findings.
         * @default {
         *       "mode": "on_change"
         *     }
         */
        report: {
          /** @description The secret holding the report webhook URL; unset: the executor's REPORT_URL. */
          url_env?: string;
          /**
           * @description When a run sends a report: every run, runs with findings, runs that opened, reopened or resolved a discrepancy, or never.
           * @default on_change
           * @enum {string}
           */
          mode: "always" | "on_findings" | "on_change" | "none";
          /** @description Channels that get each report as well as `url_env`. Set: the executor's REPORT_URL is not used for this project. */
          channels?: string[];
          /**
           * Format: duration
           * @description At most one report per this interval, carrying every transition since the last one; unset: a report per execution.
           */
          digest?: string;
        };
        /** @description Alerts when runs fail or time out; unset: none. */
        alert?: {
          /** @description The secret holding a Slack-style webhook URL for alerts; needed unless `channels` is set. */
          slack_webhook_env?: string;
          /** @description Channels that get each alert as well as `slack_webhook_env`. */
          channels?: string[];
          /**
           * @description At most one alert per this many seconds.
           * @default 900
           */
          min_interval_seconds: number;
          /**
           * @description Run statuses that alert; `partial`: some rules failed (a run whose rules all failed is `failed`).
           * @default [
           *       "failed",
           *       "timeout"
           *     ]
           */
          on: ("failed" | "timeout" | "partial")[];
          /**
           * @description The alert fires once this many consecutive final runs ended in a status of `on`.
           * @default 1
           */
          after_failures: number;
          /**
           * @description Send one recovery alert when a run succeeds after an alert.
           * @default true
           */
          recovery: boolean;
        };
        /** @description How long executions are kept; unset fields: the cleaner's RETENTION_* settings. */
        retention?: {
          /** @description Executions kept, newest first; older ones are pruned. Unset: RETENTION_KEEP_LAST. */
          keep_last?: number;
          /** @description Executions older than this are pruned (never the latest finished one). Unset: RETENTION_MAX_AGE_DAYS. */
          max_age_days?: number;
          /** @description Failed, timed-out, partial and lost executions are kept this long instead. Unset: RETENTION_FAILED_MAX_AGE_DAYS. */
          failed_max_age_days?: number;
        };
        /** @description How discrepancies age. */
        discrepancies?: {
          /**
           * Format: duration
           * @description A discrepancy whose row no run has read for this long becomes `expired`, never `resolved`. Unset: it keeps its state, marked not evaluated, until a run reads its row again.
           */
          expire_after?: string;
        };
      };
    };
    JsonValue:
      | string
      | number
      | boolean
      | null
      | (components["schemas"]["JsonValue"] | null)[]
      | {
          [key: string]: components["schemas"]["JsonValue"] | null;
        };
    Backfill: {
      id: number;
      project_id: string;
      /** Format: date-time */
      from: string;
      /** Format: date-time */
      to: string;
      step: string;
      concurrency: number;
      /** @enum {string} */
      status: "running" | "done" | "cancelled";
      /** @description windows in the range */
      total: number;
      /** @description triggers this backfill made */
      created: number;
      /** @description windows skipped because an earlier backfill already has a trigger for them */
      existing: number;
      /** @description windows not reached yet */
      remaining: number;
      pending: number;
      running: number;
      succeeded: number;
      failed: number;
      skipped: number;
      cancelled: number;
      requested_by: string | null;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
      /** Format: date-time */
      finished_at: string | null;
    };
    BackfillRequest: {
      /**
       * Format: date-time
       * @description start of the range (inclusive)
       */
      from: string;
      /**
       * Format: date-time
       * @description end of the range (exclusive)
       */
      to: string;
      /**
       * Format: duration
       * @description length of each window, an ISO 8601 duration: PT1H, P1D
       */
      step: string;
      /**
       * @description at most this many of its runs pending or running at a time
       * @default 1
       */
      concurrency: number;
    };
    ProjectList: {
      items: {
        id: string;
        name: string;
        description: string;
        config: {
          [key: string]: unknown;
        };
        is_active: boolean;
        version: number;
        /** Format: date-time */
        created_at: string;
        /** Format: date-time */
        updated_at: string;
        schedules_count: number;
        rules_count: number;
        overview?: components["schemas"]["ProjectOverview"];
      }[];
      next_cursor: string | null;
    };
    ProjectOverview: {
      last_execution: {
        id: number;
        /** @enum {string} */
        status:
          | "pending"
          | "running"
          | "success"
          | "partial"
          | "failed"
          | "cancelled"
          | "timeout"
          | "lost";
        /** Format: date-time */
        scheduled_for: string;
        /** Format: date-time */
        finished_at: string | null;
      } | null;
      /** Format: date-time */
      next_run: string | null;
      open_discrepancies: {
        critical: number;
        high: number;
        medium: number;
        low: number;
        info: number;
      };
    };
    CreatedProject: {
      id: string;
      name: string;
      description: string;
      config: {
        [key: string]: unknown;
      };
      is_active: boolean;
      version: number;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
      schedules: components["schemas"]["Schedule"][];
      rules: components["schemas"]["Rule"][];
    };
    Schedule: {
      id: number;
      project_id: string;
      cron_expression: string;
      timezone: string;
      /** @enum {string} */
      concurrency_policy: "allow" | "forbid" | "replace";
      /** @enum {string} */
      misfire_policy: "skip" | "run_once" | "run_all";
      starting_deadline_seconds: number | null;
      is_active: boolean;
      version: number;
      /** Format: date-time */
      materialized_until: string | null;
      invalid_reason: string | null;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
    };
    Rule: {
      id: number;
      project_id: string;
      rule_id: string;
      definition_id: string | null;
      description: string;
      category: string;
      /** @enum {string} */
      severity: "info" | "low" | "medium" | "high" | "critical";
      logic: string;
      code: string;
      explanation: string;
      parameters: {
        [key: string]: unknown;
      };
      dependencies: unknown[];
      is_active: boolean;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
    };
    ProjectDetail: {
      id: string;
      name: string;
      description: string;
      config: {
        [key: string]: unknown;
      };
      is_active: boolean;
      version: number;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
      schedules: components["schemas"]["ScheduleWithNextRuns"][];
      rules: {
        id: number;
        project_id: string;
        rule_id: string;
        definition_id: string | null;
        description: string;
        category: string;
        /** @enum {string} */
        severity: "info" | "low" | "medium" | "high" | "critical";
        parameters: {
          [key: string]: unknown;
        };
        dependencies: unknown[];
        is_active: boolean;
        /** Format: date-time */
        created_at: string;
        /** Format: date-time */
        updated_at: string;
      }[];
      last_execution: {
        id: number;
        /** @enum {string} */
        status:
          | "pending"
          | "running"
          | "success"
          | "partial"
          | "failed"
          | "cancelled"
          | "timeout"
          | "lost";
        /** Format: date-time */
        scheduled_for: string;
        /** Format: date-time */
        started_at: string | null;
        /** Format: date-time */
        finished_at: string | null;
        duration_ms: number | null;
        findings_count: number;
      } | null;
      /** Format: date-time */
      next_run: string | null;
      executions: {
        total: number;
        pending: number;
        running: number;
        success: number;
        partial: number;
        failed: number;
        cancelled: number;
        timeout: number;
        lost: number;
        success_rate: number | null;
        of_last: number;
      };
    };
    ScheduleWithNextRuns: {
      id: number;
      project_id: string;
      cron_expression: string;
      timezone: string;
      /** @enum {string} */
      concurrency_policy: "allow" | "forbid" | "replace";
      /** @enum {string} */
      misfire_policy: "skip" | "run_once" | "run_all";
      starting_deadline_seconds: number | null;
      is_active: boolean;
      version: number;
      /** Format: date-time */
      materialized_until: string | null;
      invalid_reason: string | null;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
      next_runs: string[];
      problem: string | null;
    };
    ApplyProjectResult: {
      project: components["schemas"]["Project"];
      created: boolean;
      schedules: {
        kept: number;
        added: number;
        removed: number;
      };
      rules: {
        upserted: number;
        removed: number;
      };
    };
    Project: {
      id: string;
      name: string;
      description: string;
      config: {
        [key: string]: unknown;
      };
      is_active: boolean;
      version: number;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
    };
    ProjectPatch: {
      name?: string;
      description?: string;
      is_active?: boolean;
      config?: {
        /** @description Where each run reads its rows. */
        data_source:
          | {
              /**
               * @description Rows from one SQL query.
               * @enum {string}
               */
              type: "sql";
              /**
               * @description The database's protocol.
               * @enum {string}
               */
              driver: "postgres" | "mysql";
              /** @description The secret holding the connection URL (`postgres://user:password@host:5432/db`). */
              url_env: string;
              /** @description The query. `:start` and `:end` are the execution window (timestamps); `:name` is a value of `params`. Every `:name` is sent as a bound parameter, never pasted into the text. */
              query: string;
              /**
               * @description Values for the query's `:name` parameters; `start` and `end` are reserved for the window.
               * @default {}
               */
              params: {
                [key: string]: string | number | boolean | null;
              };
              /**
               * @description The query is cancelled after this many seconds.
               * @default 30
               */
              timeout_seconds: number;
              /**
               * @description A query returning more rows fails the run.
               * @default 1000000
               */
              max_rows: number;
              /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
              key?: string | string[];
            }
          | {
              /**
               * @description Rows from a JSON HTTP API.
               * @enum {string}
               */
              type: "http";
              /**
               * Format: uri
               * @description The first request's URL; no credentials in it (use `auth`).
               */
              url: string;
              /**
               * @description HTTP method.
               * @default GET
               * @enum {string}
               */
              method: "GET" | "POST";
              /**
               * @description Extra request headers; `Authorization`, `Proxy-Authorization` and `Cookie` are refused (use `auth`).
               * @default {}
               */
              headers: {
                [key: string]: string;
              };
              /** @description JSON request body; only with `POST`. */
              body?:
                | string
                | number
                | boolean
                | null
                | components["schemas"]["JsonValue"][]
                | {
                    [key: string]: components["schemas"]["JsonValue"];
                  };
              /** @description How requests authenticate; each credential comes from a secret. */
              auth?:
                | {
                    /**
                     * @description `Authorization: Bearer <token>`.
                     * @enum {string}
                     */
                    type: "bearer";
                    /** @description The secret holding the token. */
                    token_env: string;
                  }
                | {
                    /**
                     * @description HTTP Basic authentication.
                     * @enum {string}
                     */
                    type: "basic";
                    /** @description The secret holding the user name. */
                    username_env: string;
                    /** @description The secret holding the password. */
                    password_env: string;
                  }
                | {
                    /**
                     * @description A key in a header or query parameter.
                     * @enum {string}
                     */
                    type: "api_key";
                    /** @description The secret holding the key. */
                    value_env: string;
                    /** @description Header carrying the key; `X-API-Key` when neither `header` nor `query` is set. */
                    header?: string;
                    /** @description Query parameter carrying the key instead of a header. */
                    query?: string;
                  };
              /** @description How to fetch further pages; unset: one request. */
              pagination?:
                | {
                    /**
                     * @description Numbered pages.
                     * @enum {string}
                     */
                    type: "page";
                    /** @description Query parameter holding the page number. */
                    param: string;
                    /**
                     * @description First page number.
                     * @default 1
                     */
                    start: number;
                    /** @description Query parameter holding the page size; goes with `size`. */
                    size_param?: string;
                    /** @description Rows per page, sent in `size_param`. */
                    size?: number;
                  }
                | {
                    /**
                     * @description An offset and a limit.
                     * @enum {string}
                     */
                    type: "offset";
                    /** @description Query parameter holding the offset (0, limit, 2 x limit, ...). */
                    param: string;
                    /** @description Query parameter holding the limit. */
                    limit_param: string;
                    /** @description Rows per request; a shorter page ends paging. */
                    limit: number;
                  }
                | {
                    /**
                     * @description A cursor from each response.
                     * @enum {string}
                     */
                    type: "cursor";
                    /** @description Query parameter the next cursor is sent in. */
                    param: string;
                    /** @description Dot path of the next cursor in the response body; empty or missing ends paging. */
                    cursor_path: string;
                  }
                | {
                    /**
                     * @description The `Link: <...>; rel="next"` response header (RFC 8288).
                     * @enum {string}
                     */
                    type: "link";
                  };
              /** @description Dot path of the rows array in the body (`data.items`); unset: the body must be an array. */
              items_path?: string;
              /**
               * @description Paging stops after this many requests.
               * @default 100
               */
              max_pages: number;
              /**
               * @description Each request is aborted after this many seconds.
               * @default 30
               */
              timeout_seconds: number;
              /**
               * @description More rows than this fails the run.
               * @default 1000000
               */
              max_rows: number;
              /**
               * @description A larger response body fails the run.
               * @default 52428800
               */
              max_response_bytes: number;
              /**
               * @description Opt in to private and loopback targets; the operator must allow them too (DATASOURCE_ALLOW_PRIVATE_NETWORKS).
               * @default false
               */
              allow_private_network: boolean;
              /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
              key?: string | string[];
            }
          | {
              /**
               * @description Rows from the latest dataset uploaded with `POST /projects/{id}/data`.
               * @enum {string}
               */
              type: "manual";
              /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
              key?: string | string[];
            };
        /**
         * Format: duration
         * @description Length of each run's window: rows from `end - lookback` to `end` (`:start`, `:end`).
         * @default PT1H
         */
        lookback: string;
        /**
         * Format: duration
         * @description The window ends this long before the fire time, so rows still settling are not flagged; unset: it ends at the fire time.
         */
        settle?: string;
        /**
         * @description The detector is stopped after this many seconds, counted from the end of the load (a SQL or HTTP source has its own `data_source.timeout_seconds`); the rule that was running is named.
         * @default 600
         */
        timeout_seconds: number;
        /**
         * @description Heap limit of the detector process.
         * @default 512
         */
        memory_mb: number;
        /**
         * @description Attempts per trigger; a failed attempt below this is retried.
         * @default 1
         */
        max_attempts: number;
        /**
         * @description Runs of this project at once, across every executor.
         * @default 1
         */
        max_concurrency: number;
        /**
         * @description Findings kept per rule and run. A rule that returns more keeps its first this many; the rest are counted (`findings_truncated` on the execution, its rule result and the report) and none of that rule's discrepancies is resolved by the run, since its unseen findings could be among them.
         * @default 10000
         */
        max_findings_per_rule: number;
        /** @description The team whose TEAM_MAX_RUNNING limit this project's runs count against; unset: none. */
        team?: string;
        /** @description Notification channels that `report.channels` and `alert.channels` name. */
        channels?: (
          | {
              /** @description What `report.channels` and `alert.channels` call it. */
              name: string;
              /**
               * @description A signed JSON POST.
               * @enum {string}
               */
              kind: "webhook";
              /** @description The secret holding the URL; the body is signed with REPORT_SIGNING_SECRET as reports are. */
              url_env: string;
            }
          | {
              /** @description What `report.channels` and `alert.channels` call it. */
              name: string;
              /**
               * @description A Slack-style incoming webhook.
               * @enum {string}
               */
              kind: "slack";
              /** @description The secret holding the incoming-webhook URL. */
              url_env: string;
            }
          | {
              /** @description What `report.channels` and `alert.channels` call it. */
              name: string;
              /**
               * @description Mail through the executor's SMTP_URL.
               * @enum {string}
               */
              kind: "email";
              /** @description Recipients. */
              to: string[];
              /** @description Sender; unset: SMTP_FROM of the executor. */
              from?: string;
              /** @description Put before every subject, e.g. `[billing]`. */
              subject_prefix?: string;
            }
        )[];
        /**
         * @description Reports of each run's findings.
         * @default {
         *       "mode": "on_change"
         *     }
         */
        report: {
          /** @description The secret holding the report webhook URL; unset: the executor's REPORT_URL. */
          url_env?: string;
          /**
           * @description When a run sends a report: every run, runs with findings, runs that opened, reopened or resolved a discrepancy, or never.
           * @default on_change
           * @enum {string}
           */
          mode: "always" | "on_findings" | "on_change" | "none";
          /** @description Channels that get each report as well as `url_env`. Set: the executor's REPORT_URL is not used for this project. */
          channels?: string[];
          /**
           * Format: duration
           * @description At most one report per this interval, carrying every transition since the last one; unset: a report per execution.
           */
          digest?: string;
        };
        /** @description Alerts when runs fail or time out; unset: none. */
        alert?: {
          /** @description The secret holding a Slack-style webhook URL for alerts; needed unless `channels` is set. */
          slack_webhook_env?: string;
          /** @description Channels that get each alert as well as `slack_webhook_env`. */
          channels?: string[];
          /**
           * @description At most one alert per this many seconds.
           * @default 900
           */
          min_interval_seconds: number;
          /**
           * @description Run statuses that alert; `partial`: some rules failed (a run whose rules all failed is `failed`).
           * @default [
           *       "failed",
           *       "timeout"
           *     ]
           */
          on: ("failed" | "timeout" | "partial")[];
          /**
           * @description The alert fires once this many consecutive final runs ended in a status of `on`.
           * @default 1
           */
          after_failures: number;
          /**
           * @description Send one recovery alert when a run succeeds after an alert.
           * @default true
           */
          recovery: boolean;
        };
        /** @description How long executions are kept; unset fields: the cleaner's RETENTION_* settings. */
        retention?: {
          /** @description Executions kept, newest first; older ones are pruned. Unset: RETENTION_KEEP_LAST. */
          keep_last?: number;
          /** @description Executions older than this are pruned (never the latest finished one). Unset: RETENTION_MAX_AGE_DAYS. */
          max_age_days?: number;
          /** @description Failed, timed-out, partial and lost executions are kept this long instead. Unset: RETENTION_FAILED_MAX_AGE_DAYS. */
          failed_max_age_days?: number;
        };
        /** @description How discrepancies age. */
        discrepancies?: {
          /**
           * Format: duration
           * @description A discrepancy whose row no run has read for this long becomes `expired`, never `resolved`. Unset: it keeps its state, marked not evaluated, until a run reads its row again.
           */
          expire_after?: string;
        };
      };
    };
    Deleted: {
      /** @enum {boolean} */
      deleted: true;
    };
    SchedulePatch: {
      cron_expression?: string;
      timezone?: string;
      /** @enum {string} */
      concurrency_policy?: "allow" | "forbid" | "replace";
      /** @enum {string} */
      misfire_policy?: "skip" | "run_once" | "run_all";
      starting_deadline_seconds?: number | null;
      is_active?: boolean;
    };
    RulePatch: {
      definition_id?: string | null;
      description?: string;
      category?: string;
      /** @enum {string} */
      severity?: "info" | "low" | "medium" | "high" | "critical";
      logic?: string;
      code?: string;
      explanation?: string;
      parameters?: {
        [key: string]: unknown;
      };
      dependencies?: string[];
      is_active?: boolean;
    };
    FailureList: {
      items: components["schemas"]["ExecutionSummary"][];
    };
    ExecutionSummary: {
      id: number;
      trigger_id: number | null;
      project_id: string;
      attempt: number;
      /** @enum {string} */
      status:
        | "pending"
        | "running"
        | "success"
        | "partial"
        | "failed"
        | "cancelled"
        | "timeout"
        | "lost";
      /** @enum {string} */
      source:
        "schedule" | "manual" | "retry" | "catchup" | "backfill" | "replay";
      /** Format: date-time */
      scheduled_for: string;
      /** Format: date-time */
      started_at: string | null;
      /** Format: date-time */
      finished_at: string | null;
      duration_ms: number | null;
      exit_code: number | null;
      signal: string | null;
      error_message: string | null;
      findings_count: number;
      /** @description Findings the rules returned past the project's max_findings_per_rule, dropped (each rule's count is in its rule_results entry, findingsTruncated); 0: none. */
      findings_truncated: number;
      rules_total: number;
      rules_failed: number;
      row_count: number | null;
      detector_hash: string | null;
      worker_id: string | null;
      /** Format: date-time */
      window_start: string | null;
      /** Format: date-time */
      window_end: string | null;
      /** Format: date-time */
      created_at: string;
      sandbox: components["schemas"]["SandboxAttestation"];
    };
    SandboxAttestation: {
      mount_namespace: boolean;
      pid_namespace: boolean;
      network_namespace: boolean;
      other_uid: boolean;
      memory_cap: boolean;
      disk_cap: boolean;
      process_cap: boolean;
      permission_model: boolean;
    } | null;
    ExecutionList: {
      items: components["schemas"]["ExecutionSummary"][];
      next_cursor: string | null;
    };
    RunList: {
      items: components["schemas"]["Run"][];
      next_cursor: string | null;
    };
    Run: {
      id: number;
      schedule_id: number | null;
      /** @enum {string} */
      source:
        "schedule" | "manual" | "retry" | "catchup" | "backfill" | "replay";
      /** Format: date-time */
      fire_at: string;
      /** @enum {string} */
      status:
        | "pending"
        | "running"
        | "succeeded"
        | "failed"
        | "skipped"
        | "cancelled";
      attempt: number;
      rescues: number;
      reason: string | null;
      skipped_for_trigger_id: number | null;
      /** Format: date-time */
      finished_at: string | null;
      execution_id: number | null;
      /** @enum {string|null} */
      execution_status:
        | "pending"
        | "running"
        | "success"
        | "partial"
        | "failed"
        | "cancelled"
        | "timeout"
        | "lost"
        | null;
    };
    ExecutionChanges: {
      items: components["schemas"]["ExecutionChange"][];
      next_cursor: string | null;
    };
    ExecutionChange: {
      /** @description The discrepancy event's id. */
      id: number;
      fingerprint: string;
      rule_id: string;
      finding_key: string;
      /** @description The discrepancy's latest message. */
      message: string;
      /**
       * @description Its severity after this run.
       * @enum {string}
       */
      severity: "info" | "low" | "medium" | "high" | "critical";
      /** @description new, reopened, unmuted, escalated, severity_changed, resolved, expired or not_evaluated (docs/discrepancies.md). A finding of the run with no change here was seen again, still open. */
      change: string;
      from_status: string | null;
      to_status: string;
      /** Format: date-time */
      at: string;
    };
    ExecutionDetail: {
      id: number;
      trigger_id: number | null;
      project_id: string;
      attempt: number;
      /** @enum {string} */
      status:
        | "pending"
        | "running"
        | "success"
        | "partial"
        | "failed"
        | "cancelled"
        | "timeout"
        | "lost";
      /** @enum {string} */
      source:
        "schedule" | "manual" | "retry" | "catchup" | "backfill" | "replay";
      /** Format: date-time */
      scheduled_for: string;
      /** Format: date-time */
      started_at: string | null;
      /** Format: date-time */
      finished_at: string | null;
      duration_ms: number | null;
      exit_code: number | null;
      signal: string | null;
      error_message: string | null;
      findings_count: number;
      /** @description Findings the rules returned past the project's max_findings_per_rule, dropped (each rule's count is in its rule_results entry, findingsTruncated); 0: none. */
      findings_truncated: number;
      rules_total: number;
      rules_failed: number;
      row_count: number | null;
      detector_hash: string | null;
      worker_id: string | null;
      /** Format: date-time */
      window_start: string | null;
      /** Format: date-time */
      window_end: string | null;
      /** Format: date-time */
      created_at: string;
      sandbox: components["schemas"]["SandboxAttestation"];
      /** @description The execution this one replayed on its stored input; null unless a replay */
      replay_of: number | null;
      input: components["schemas"]["ExecutionInputState"];
      stdout_tail: string | null;
      stderr_tail: string | null;
      stdout_bytes: number | null;
      stderr_bytes: number | null;
      rule_results: unknown[];
      findings: components["schemas"]["Finding"][];
      /** @description The execution has more stored findings than `findings` lists (findings_limit). */
      findings_has_more: boolean;
    };
    ExecutionInputState:
      | {
          /** @enum {boolean} */
          kept: true;
          row_count: number;
          /** @description Compressed size (gzip) in bytes */
          bytes: number;
          /** @description Size of the rows as NDJSON in bytes */
          raw_bytes: number;
          /** Format: date-time */
          window_start: string;
          /** Format: date-time */
          window_end: string;
        }
      | {
          /** @enum {boolean} */
          kept: false;
          /**
           * @description too_large: above EXECUTION_INPUT_MAX_BYTES; pruned_age / pruned_total: removed by the cleaner (EXECUTION_INPUT_RETENTION_DAYS / EXECUTION_INPUT_TOTAL_MB); not_recorded: inputs off or the run ended before its rows loaded
           * @enum {string}
           */
          reason: "too_large" | "pruned_age" | "pruned_total" | "not_recorded";
          message: string;
        };
    Finding: {
      id: number;
      rule_id: string;
      /** @enum {string} */
      severity: "info" | "low" | "medium" | "high" | "critical";
      fingerprint: string;
      finding_key: string;
      message: string;
      data?: unknown;
      /** Format: date-time */
      created_at: string;
    };
    Replay: {
      id: number;
      project_id: string;
      /** @enum {string} */
      source:
        "schedule" | "manual" | "retry" | "catchup" | "backfill" | "replay";
      status: string;
      /** Format: date-time */
      fire_at: string;
      /** Format: date-time */
      window_start: string | null;
      /** Format: date-time */
      window_end: string | null;
      requested_by: string | null;
      /** Format: date-time */
      created_at: string;
      /** @description The execution being replayed */
      replay_of: number;
    };
    DiscrepancyList: {
      items: components["schemas"]["Discrepancy"][];
      next_cursor: string | null;
      truncated: boolean;
    };
    Discrepancy: {
      project_id: string;
      fingerprint: string;
      rule_id: string;
      finding_key: string;
      row_key: string | null;
      /** @enum {string} */
      severity: "info" | "low" | "medium" | "high" | "critical";
      message: string;
      data?: unknown;
      /** @enum {string} */
      status: "open" | "acknowledged" | "muted" | "resolved" | "expired";
      status_reason: string | null;
      /** Format: date-time */
      status_changed_at: string;
      status_changed_by: string;
      assignee: string | null;
      note: string | null;
      /** Format: date-time */
      muted_until: string | null;
      occurrences: number;
      regressions: number;
      /** Format: date-time */
      reopened_at: string | null;
      /** Format: date-time */
      first_seen_at: string;
      /** Format: date-time */
      last_seen_at: string;
      /** Format: date-time */
      last_evaluated_at: string | null;
      last_evaluated_execution_id: number | null;
      /** Format: date-time */
      not_evaluated_since: string | null;
      /** Format: date-time */
      resolved_at: string | null;
      /** Format: date-time */
      expired_at: string | null;
      first_execution_id: number;
      last_execution_id: number;
      resolved_execution_id: number | null;
    };
    DiscrepancyDetail: {
      discrepancy: components["schemas"]["Discrepancy"];
      events: components["schemas"]["DiscrepancyEvent"][];
      events_truncated: boolean;
      seen_in: {
        execution_id: number;
        /** Format: date-time */
        scheduled_for: string;
        /** Format: date-time */
        finished_at: string | null;
        /** @enum {string} */
        status:
          | "pending"
          | "running"
          | "success"
          | "partial"
          | "failed"
          | "cancelled"
          | "timeout"
          | "lost";
        /** @enum {string} */
        severity: "info" | "low" | "medium" | "high" | "critical";
        message: string;
      }[];
      seen_in_truncated: boolean;
    };
    DiscrepancyEvent: {
      id: number;
      /** Format: date-time */
      at: string;
      actor: string;
      change: string;
      from_status: string | null;
      to_status: string;
      reason: string | null;
      execution_id: number | null;
      details?: unknown;
    };
    DiscrepancyTriage: {
      /** @enum {string} */
      status: "open" | "acknowledged" | "muted" | "resolved";
      reason?: string;
      /** Format: date-time */
      muted_until?: string;
      assignee?: string | null;
      note?: string | null;
    };
    DiscrepancyBulkTriageResult: {
      items: components["schemas"]["Discrepancy"][];
    };
    DiscrepancyBulkTriage: {
      /** @enum {string} */
      status: "open" | "acknowledged" | "muted" | "resolved";
      reason?: string;
      /** Format: date-time */
      muted_until?: string;
      assignee?: string | null;
      note?: string | null;
      fingerprints: string[];
    };
    ExecutionDeliveries: {
      items: components["schemas"]["ReportDelivery"][];
    };
    ReportDelivery: {
      id: number;
      project_id: string;
      execution_id: number | null;
      /** @enum {string} */
      kind: "report" | "alert";
      idempotency_key: string;
      target_env: string | null;
      channel: {
        name: string;
        /** @enum {string} */
        kind: "webhook" | "slack" | "email";
      };
      /** @enum {string} */
      status: "pending" | "delivering" | "delivered" | "dead";
      attempts: number;
      max_attempts: number;
      next_attempt_at: string;
      last_status_code: number | null;
      last_error: string | null;
      delivered_at: string | null;
      dead_at: string | null;
      created_at: string;
      attempt_log: {
        attempt: number;
        worker_id: string | null;
        started_at: string;
        latency_ms: number | null;
        status_code: number | null;
        error: string | null;
      }[];
    };
    DeadLetterList: {
      items: components["schemas"]["ReportDelivery"][];
      next_cursor: string | null;
    };
    ChannelTestResponse: {
      channel: {
        name: string;
        /** @enum {string} */
        kind: "webhook" | "slack" | "email";
      };
      delivered: boolean;
      status_code: number | null;
      response: string | null;
      error: string | null;
      permanent: boolean;
      latency_ms: number | null;
    };
    ChannelTestRequest:
      | {
          project_id: string;
          channel: string | "default";
        }
      | {
          channel:
            | {
                /** @description What `report.channels` and `alert.channels` call it. */
                name: string;
                /**
                 * @description A signed JSON POST.
                 * @enum {string}
                 */
                kind: "webhook";
                /** @description The secret holding the URL; the body is signed with REPORT_SIGNING_SECRET as reports are. */
                url_env: string;
              }
            | {
                /** @description What `report.channels` and `alert.channels` call it. */
                name: string;
                /**
                 * @description A Slack-style incoming webhook.
                 * @enum {string}
                 */
                kind: "slack";
                /** @description The secret holding the incoming-webhook URL. */
                url_env: string;
              }
            | {
                /** @description What `report.channels` and `alert.channels` call it. */
                name: string;
                /**
                 * @description Mail through the executor's SMTP_URL.
                 * @enum {string}
                 */
                kind: "email";
                /** @description Recipients. */
                to: string[];
                /** @description Sender; unset: SMTP_FROM of the executor. */
                from?: string;
                /** @description Put before every subject, e.g. `[billing]`. */
                subject_prefix?: string;
              };
        };
    AuditList: {
      items: components["schemas"]["AuditEvent"][];
      next_cursor: string | null;
    };
    AuditEvent: {
      id: number;
      /** Format: date-time */
      at: string;
      actor: string;
      action: string;
      target: string;
      request_id: string | null;
      diff?: unknown;
      prev_hash: string | null;
      hash: string;
    };
    CronPreview: {
      cron_expression: string;
      timezone: string;
      /** Format: date-time */
      after: string;
      fire_times: {
        /** Format: date-time */
        at: string;
        local: string;
      }[];
    };
    CronPreviewRequest: {
      cron_expression: string;
      /** @default UTC */
      timezone: string;
      /** Format: date-time */
      after?: string;
      /** @default 10 */
      count: number;
    };
    TokenCreated: {
      /** @description The bearer secret (`vgl_...`); shown only in this answer */
      token: string;
      name: string;
      scopes: components["schemas"]["Scope"][];
      projects: string[] | null;
      /** Format: date-time */
      expires_at: string | null;
      /** Format: date-time */
      created_at: string;
      created_by: string;
    };
    /** @enum {string} */
    Scope: "read" | "write" | "triage" | "admin";
    TokenCreateRequest: {
      name: string;
      scopes: components["schemas"]["Scope"][];
      projects?: string[] | null;
      /** Format: date-time */
      expires_at?: string | null;
    };
    TokenList: {
      items: components["schemas"]["Token"][];
    };
    Token: {
      name: string;
      scopes: components["schemas"]["Scope"][];
      projects: string[] | null;
      /** @enum {string} */
      status: "active" | "expired" | "revoked";
      /** Format: date-time */
      created_at: string;
      created_by: string;
      /** Format: date-time */
      last_used_at: string | null;
      /** Format: date-time */
      expires_at: string | null;
      /** Format: date-time */
      revoked_at: string | null;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  get_health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Up */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Health"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_ready: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Ready */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Ready"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Database unreachable or migrations pending */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_status: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Fleet status */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Status"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_metrics: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Prometheus text format */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "text/plain": string;
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_queue: {
    parameters: {
      query?: {
        limit?: number;
        project_id?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Pending triggers */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Queue"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_stats: {
    parameters: {
      query?: {
        project_id?: string;
        from?: string;
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Statistics */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Stats"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_projects_refresh: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description What was checked and what is wrong */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RefreshResult"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `admin` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="admin"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_projects_id_trigger: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        "application/json": components["schemas"]["TriggerRunRequest"];
      };
    };
    responses: {
      /** @description Queued */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Trigger"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_projects_id_data: {
    parameters: {
      query?: {
        filename?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["DatasetJsonUpload"];
        "text/csv": string;
      };
    };
    responses: {
      /** @description Stored */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Dataset"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  delete_projects_id_cleanup: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description What was deleted */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["CleanupResult"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `admin` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="admin"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  "post_projects_id_dry-run": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        "application/json": components["schemas"]["DryRunRequest"];
      };
    };
    responses: {
      /** @description The run and its plan */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DryRunResponse"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_projects_id_backfill: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["BackfillRequest"];
      };
    };
    responses: {
      /** @description Started; the trigger-creator makes its triggers */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Backfill"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_backfills_id: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The backfill */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Backfill"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_backfills_id_cancel: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Cancelled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Backfill"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
        is_active?: "true" | "false";
        include?: "overview";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of projects */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ProjectList"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_projects: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description The project's slug, as in `/projects/{id}` and `vigil run ID`. */
          id: string;
          /** @description Display name. */
          name: string;
          /**
           * @description For people.
           * @default
           */
          description?: string;
          /**
           * @description An inactive project's schedules fire nothing.
           * @default true
           */
          is_active?: boolean;
          /** @description `projects.config`: the data source, the run's limits, reports, alerts. */
          config: {
            /** @description Where each run reads its rows. */
            data_source:
              | {
                  /**
                   * @description Rows from one SQL query.
                   * @enum {string}
                   */
                  type: "sql";
                  /**
                   * @description The database's protocol.
                   * @enum {string}
                   */
                  driver: "postgres" | "mysql";
                  /** @description The secret holding the connection URL (`postgres://user:password@host:5432/db`). */
                  url_env: string;
                  /** @description The query. `:start` and `:end` are the execution window (timestamps); `:name` is a value of `params`. Every `:name` is sent as a bound parameter, never pasted into the text. */
                  query: string;
                  /**
                   * @description Values for the query's `:name` parameters; `start` and `end` are reserved for the window.
                   * @default {}
                   */
                  params?: {
                    [key: string]: string | number | boolean | null;
                  };
                  /**
                   * @description The query is cancelled after this many seconds.
                   * @default 30
                   */
                  timeout_seconds?: number;
                  /**
                   * @description A query returning more rows fails the run.
                   * @default 1000000
                   */
                  max_rows?: number;
                  /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
                  key?: string | string[];
                }
              | {
                  /**
                   * @description Rows from a JSON HTTP API.
                   * @enum {string}
                   */
                  type: "http";
                  /**
                   * Format: uri
                   * @description The first request's URL; no credentials in it (use `auth`).
                   */
                  url: string;
                  /**
                   * @description HTTP method.
                   * @default GET
                   * @enum {string}
                   */
                  method?: "GET" | "POST";
                  /**
                   * @description Extra request headers; `Authorization`, `Proxy-Authorization` and `Cookie` are refused (use `auth`).
                   * @default {}
                   */
                  headers?: {
                    [key: string]: string;
                  };
                  /** @description JSON request body; only with `POST`. */
                  body?:
                    | string
                    | number
                    | boolean
                    | null
                    | components["schemas"]["JsonValue"][]
                    | {
                        [key: string]: components["schemas"]["JsonValue"];
                      };
                  /** @description How requests authenticate; each credential comes from a secret. */
                  auth?:
                    | {
                        /**
                         * @description `Authorization: Bearer <token>`.
                         * @enum {string}
                         */
                        type: "bearer";
                        /** @description The secret holding the token. */
                        token_env: string;
                      }
                    | {
                        /**
                         * @description HTTP Basic authentication.
                         * @enum {string}
                         */
                        type: "basic";
                        /** @description The secret holding the user name. */
                        username_env: string;
                        /** @description The secret holding the password. */
                        password_env: string;
                      }
                    | {
                        /**
                         * @description A key in a header or query parameter.
                         * @enum {string}
                         */
                        type: "api_key";
                        /** @description The secret holding the key. */
                        value_env: string;
                        /** @description Header carrying the key; `X-API-Key` when neither `header` nor `query` is set. */
                        header?: string;
                        /** @description Query parameter carrying the key instead of a header. */
                        query?: string;
                      };
                  /** @description How to fetch further pages; unset: one request. */
                  pagination?:
                    | {
                        /**
                         * @description Numbered pages.
                         * @enum {string}
                         */
                        type: "page";
                        /** @description Query parameter holding the page number. */
                        param: string;
                        /**
                         * @description First page number.
                         * @default 1
                         */
                        start?: number;
                        /** @description Query parameter holding the page size; goes with `size`. */
                        size_param?: string;
                        /** @description Rows per page, sent in `size_param`. */
                        size?: number;
                      }
                    | {
                        /**
                         * @description An offset and a limit.
                         * @enum {string}
                         */
                        type: "offset";
                        /** @description Query parameter holding the offset (0, limit, 2 x limit, ...). */
                        param: string;
                        /** @description Query parameter holding the limit. */
                        limit_param: string;
                        /** @description Rows per request; a shorter page ends paging. */
                        limit: number;
                      }
                    | {
                        /**
                         * @description A cursor from each response.
                         * @enum {string}
                         */
                        type: "cursor";
                        /** @description Query parameter the next cursor is sent in. */
                        param: string;
                        /** @description Dot path of the next cursor in the response body; empty or missing ends paging. */
                        cursor_path: string;
                      }
                    | {
                        /**
                         * @description The `Link: <...>; rel="next"` response header (RFC 8288).
                         * @enum {string}
                         */
                        type: "link";
                      };
                  /** @description Dot path of the rows array in the body (`data.items`); unset: the body must be an array. */
                  items_path?: string;
                  /**
                   * @description Paging stops after this many requests.
                   * @default 100
                   */
                  max_pages?: number;
                  /**
                   * @description Each request is aborted after this many seconds.
                   * @default 30
                   */
                  timeout_seconds?: number;
                  /**
                   * @description More rows than this fails the run.
                   * @default 1000000
                   */
                  max_rows?: number;
                  /**
                   * @description A larger response body fails the run.
                   * @default 52428800
                   */
                  max_response_bytes?: number;
                  /**
                   * @description Opt in to private and loopback targets; the operator must allow them too (DATASOURCE_ALLOW_PRIVATE_NETWORKS).
                   * @default false
                   */
                  allow_private_network?: boolean;
                  /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
                  key?: string | string[];
                }
              | {
                  /**
                   * @description Rows from the latest dataset uploaded with `POST /projects/{id}/data`.
                   * @enum {string}
                   */
                  type: "manual";
                  /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
                  key?: string | string[];
                };
            /**
             * Format: duration
             * @description Length of each run's window: rows from `end - lookback` to `end` (`:start`, `:end`).
             * @default PT1H
             */
            lookback?: string;
            /**
             * Format: duration
             * @description The window ends this long before the fire time, so rows still settling are not flagged; unset: it ends at the fire time.
             */
            settle?: string;
            /**
             * @description The detector is stopped after this many seconds, counted from the end of the load (a SQL or HTTP source has its own `data_source.timeout_seconds`); the rule that was running is named.
             * @default 600
             */
            timeout_seconds?: number;
            /**
             * @description Heap limit of the detector process.
             * @default 512
             */
            memory_mb?: number;
            /**
             * @description Attempts per trigger; a failed attempt below this is retried.
             * @default 1
             */
            max_attempts?: number;
            /**
             * @description Runs of this project at once, across every executor.
             * @default 1
             */
            max_concurrency?: number;
            /**
             * @description Findings kept per rule and run. A rule that returns more keeps its first this many; the rest are counted (`findings_truncated` on the execution, its rule result and the report) and none of that rule's discrepancies is resolved by the run, since its unseen findings could be among them.
             * @default 10000
             */
            max_findings_per_rule?: number;
            /** @description The team whose TEAM_MAX_RUNNING limit this project's runs count against; unset: none. */
            team?: string;
            /** @description Notification channels that `report.channels` and `alert.channels` name. */
            channels?: (
              | {
                  /** @description What `report.channels` and `alert.channels` call it. */
                  name: string;
                  /**
                   * @description A signed JSON POST.
                   * @enum {string}
                   */
                  kind: "webhook";
                  /** @description The secret holding the URL; the body is signed with REPORT_SIGNING_SECRET as reports are. */
                  url_env: string;
                }
              | {
                  /** @description What `report.channels` and `alert.channels` call it. */
                  name: string;
                  /**
                   * @description A Slack-style incoming webhook.
                   * @enum {string}
                   */
                  kind: "slack";
                  /** @description The secret holding the incoming-webhook URL. */
                  url_env: string;
                }
              | {
                  /** @description What `report.channels` and `alert.channels` call it. */
                  name: string;
                  /**
                   * @description Mail through the executor's SMTP_URL.
                   * @enum {string}
                   */
                  kind: "email";
                  /** @description Recipients. */
                  to: string[];
                  /** @description Sender; unset: SMTP_FROM of the executor. */
                  from?: string;
                  /** @description Put before every subject, e.g. `[billing]`. */
                  subject_prefix?: string;
                }
            )[];
            /**
             * @description Reports of each run's findings.
             * @default {
             *       "mode": "on_change"
             *     }
             */
            report?: {
              /** @description The secret holding the report webhook URL; unset: the executor's REPORT_URL. */
              url_env?: string;
              /**
               * @description When a run sends a report: every run, runs with findings, runs that opened, reopened or resolved a discrepancy, or never.
               * @default on_change
               * @enum {string}
               */
              mode?: "always" | "on_findings" | "on_change" | "none";
              /** @description Channels that get each report as well as `url_env`. Set: the executor's REPORT_URL is not used for this project. */
              channels?: string[];
              /**
               * Format: duration
               * @description At most one report per this interval, carrying every transition since the last one; unset: a report per execution.
               */
              digest?: string;
            };
            /** @description Alerts when runs fail or time out; unset: none. */
            alert?: {
              /** @description The secret holding a Slack-style webhook URL for alerts; needed unless `channels` is set. */
              slack_webhook_env?: string;
              /** @description Channels that get each alert as well as `slack_webhook_env`. */
              channels?: string[];
              /**
               * @description At most one alert per this many seconds.
               * @default 900
               */
              min_interval_seconds?: number;
              /**
               * @description Run statuses that alert; `partial`: some rules failed (a run whose rules all failed is `failed`).
               * @default [
               *       "failed",
               *       "timeout"
               *     ]
               */
              on?: ("failed" | "timeout" | "partial")[];
              /**
               * @description The alert fires once this many consecutive final runs ended in a status of `on`.
               * @default 1
               */
              after_failures?: number;
              /**
               * @description Send one recovery alert when a run succeeds after an alert.
               * @default true
               */
              recovery?: boolean;
            };
            /** @description How long executions are kept; unset fields: the cleaner's RETENTION_* settings. */
            retention?: {
              /** @description Executions kept, newest first; older ones are pruned. Unset: RETENTION_KEEP_LAST. */
              keep_last?: number;
              /** @description Executions older than this are pruned (never the latest finished one). Unset: RETENTION_MAX_AGE_DAYS. */
              max_age_days?: number;
              /** @description Failed, timed-out, partial and lost executions are kept this long instead. Unset: RETENTION_FAILED_MAX_AGE_DAYS. */
              failed_max_age_days?: number;
            };
            /** @description How discrepancies age. */
            discrepancies?: {
              /**
               * Format: duration
               * @description A discrepancy whose row no run has read for this long becomes `expired`, never `resolved`. Unset: it keeps its state, marked not evaluated, until a run reads its row again.
               */
              expire_after?: string;
            };
          };
          /**
           * @description When the project runs; none: only on demand.
           * @default []
           */
          schedules?: {
            /** @description Five-field cron (`*\/15 * * * *`), checked when written. */
            cron_expression: string;
            /**
             * @description IANA time zone the cron expression is read in.
             * @default UTC
             */
            timezone?: string;
            /**
             * @description A fire while a run is still going: run it too, skip it, or cancel the running one.
             * @default forbid
             * @enum {string}
             */
            concurrency_policy?: "allow" | "forbid" | "replace";
            /**
             * @description Fires missed while nothing was scheduling: skip them, run the latest once, or run each.
             * @default run_once
             * @enum {string}
             */
            misfire_policy?: "skip" | "run_once" | "run_all";
            /**
             * @description A fire not started within this many seconds is skipped; null: no deadline.
             * @default null
             */
            starting_deadline_seconds?: number | null;
            /**
             * @description An inactive schedule fires nothing.
             * @default true
             */
            is_active?: boolean;
          }[];
          /**
           * @description The checks each run makes on the rows.
           * @default []
           */
          rules?: {
            /** @description Unique within the project; part of each finding's fingerprint, so renaming a rule opens its findings afresh. */
            rule_id: string;
            /**
             * @description Free reference to where the rule came from.
             * @default null
             */
            definition_id?: string | null;
            /**
             * @description What the rule checks, for people.
             * @default
             */
            description?: string;
            /**
             * @description Free grouping.
             * @default general
             */
            category?: string;
            /**
             * @description The severity of a finding that does not set its own.
             * @default medium
             * @enum {string}
             */
            severity?: "info" | "low" | "medium" | "high" | "critical";
            /**
             * @description The rule in words, for reviewers.
             * @default
             */
            logic?: string;
            /** @description JavaScript (an ES module) exporting `detect(rows, params, ctx)`; see "The rule contract". */
            code: string;
            /**
             * @description What to do about a finding, for whoever triages it.
             * @default
             */
            explanation?: string;
            /**
             * @description Passed to `detect` as `params`.
             * @default {}
             */
            parameters?: {
              [key: string]: unknown;
            };
            /**
             * @description Free list of what the rule relies on (tables, fields).
             * @default []
             */
            dependencies?: string[];
            /**
             * @description An inactive rule is not run.
             * @default true
             */
            is_active?: boolean;
          }[];
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["CreatedProject"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The project */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ProjectDetail"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  put_projects_id: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description The project's slug, as in `/projects/{id}` and `vigil run ID`. */
          id: string;
          /** @description Display name. */
          name: string;
          /**
           * @description For people.
           * @default
           */
          description?: string;
          /**
           * @description An inactive project's schedules fire nothing.
           * @default true
           */
          is_active?: boolean;
          /** @description `projects.config`: the data source, the run's limits, reports, alerts. */
          config: {
            /** @description Where each run reads its rows. */
            data_source:
              | {
                  /**
                   * @description Rows from one SQL query.
                   * @enum {string}
                   */
                  type: "sql";
                  /**
                   * @description The database's protocol.
                   * @enum {string}
                   */
                  driver: "postgres" | "mysql";
                  /** @description The secret holding the connection URL (`postgres://user:password@host:5432/db`). */
                  url_env: string;
                  /** @description The query. `:start` and `:end` are the execution window (timestamps); `:name` is a value of `params`. Every `:name` is sent as a bound parameter, never pasted into the text. */
                  query: string;
                  /**
                   * @description Values for the query's `:name` parameters; `start` and `end` are reserved for the window.
                   * @default {}
                   */
                  params?: {
                    [key: string]: string | number | boolean | null;
                  };
                  /**
                   * @description The query is cancelled after this many seconds.
                   * @default 30
                   */
                  timeout_seconds?: number;
                  /**
                   * @description A query returning more rows fails the run.
                   * @default 1000000
                   */
                  max_rows?: number;
                  /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
                  key?: string | string[];
                }
              | {
                  /**
                   * @description Rows from a JSON HTTP API.
                   * @enum {string}
                   */
                  type: "http";
                  /**
                   * Format: uri
                   * @description The first request's URL; no credentials in it (use `auth`).
                   */
                  url: string;
                  /**
                   * @description HTTP method.
                   * @default GET
                   * @enum {string}
                   */
                  method?: "GET" | "POST";
                  /**
                   * @description Extra request headers; `Authorization`, `Proxy-Authorization` and `Cookie` are refused (use `auth`).
                   * @default {}
                   */
                  headers?: {
                    [key: string]: string;
                  };
                  /** @description JSON request body; only with `POST`. */
                  body?:
                    | string
                    | number
                    | boolean
                    | null
                    | components["schemas"]["JsonValue"][]
                    | {
                        [key: string]: components["schemas"]["JsonValue"];
                      };
                  /** @description How requests authenticate; each credential comes from a secret. */
                  auth?:
                    | {
                        /**
                         * @description `Authorization: Bearer <token>`.
                         * @enum {string}
                         */
                        type: "bearer";
                        /** @description The secret holding the token. */
                        token_env: string;
                      }
                    | {
                        /**
                         * @description HTTP Basic authentication.
                         * @enum {string}
                         */
                        type: "basic";
                        /** @description The secret holding the user name. */
                        username_env: string;
                        /** @description The secret holding the password. */
                        password_env: string;
                      }
                    | {
                        /**
                         * @description A key in a header or query parameter.
                         * @enum {string}
                         */
                        type: "api_key";
                        /** @description The secret holding the key. */
                        value_env: string;
                        /** @description Header carrying the key; `X-API-Key` when neither `header` nor `query` is set. */
                        header?: string;
                        /** @description Query parameter carrying the key instead of a header. */
                        query?: string;
                      };
                  /** @description How to fetch further pages; unset: one request. */
                  pagination?:
                    | {
                        /**
                         * @description Numbered pages.
                         * @enum {string}
                         */
                        type: "page";
                        /** @description Query parameter holding the page number. */
                        param: string;
                        /**
                         * @description First page number.
                         * @default 1
                         */
                        start?: number;
                        /** @description Query parameter holding the page size; goes with `size`. */
                        size_param?: string;
                        /** @description Rows per page, sent in `size_param`. */
                        size?: number;
                      }
                    | {
                        /**
                         * @description An offset and a limit.
                         * @enum {string}
                         */
                        type: "offset";
                        /** @description Query parameter holding the offset (0, limit, 2 x limit, ...). */
                        param: string;
                        /** @description Query parameter holding the limit. */
                        limit_param: string;
                        /** @description Rows per request; a shorter page ends paging. */
                        limit: number;
                      }
                    | {
                        /**
                         * @description A cursor from each response.
                         * @enum {string}
                         */
                        type: "cursor";
                        /** @description Query parameter the next cursor is sent in. */
                        param: string;
                        /** @description Dot path of the next cursor in the response body; empty or missing ends paging. */
                        cursor_path: string;
                      }
                    | {
                        /**
                         * @description The `Link: <...>; rel="next"` response header (RFC 8288).
                         * @enum {string}
                         */
                        type: "link";
                      };
                  /** @description Dot path of the rows array in the body (`data.items`); unset: the body must be an array. */
                  items_path?: string;
                  /**
                   * @description Paging stops after this many requests.
                   * @default 100
                   */
                  max_pages?: number;
                  /**
                   * @description Each request is aborted after this many seconds.
                   * @default 30
                   */
                  timeout_seconds?: number;
                  /**
                   * @description More rows than this fails the run.
                   * @default 1000000
                   */
                  max_rows?: number;
                  /**
                   * @description A larger response body fails the run.
                   * @default 52428800
                   */
                  max_response_bytes?: number;
                  /**
                   * @description Opt in to private and loopback targets; the operator must allow them too (DATASOURCE_ALLOW_PRIVATE_NETWORKS).
                   * @default false
                   */
                  allow_private_network?: boolean;
                  /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
                  key?: string | string[];
                }
              | {
                  /**
                   * @description Rows from the latest dataset uploaded with `POST /projects/{id}/data`.
                   * @enum {string}
                   */
                  type: "manual";
                  /** @description The field (or fields, joined with `|` in order) that identify a row, such as `order_id`. Set: a discrepancy resolves only when a run read its row and no rule flagged it; one whose row was not read keeps its state, marked not evaluated. A finding's `row_key` defaults to its `key`. */
                  key?: string | string[];
                };
            /**
             * Format: duration
             * @description Length of each run's window: rows from `end - lookback` to `end` (`:start`, `:end`).
             * @default PT1H
             */
            lookback?: string;
            /**
             * Format: duration
             * @description The window ends this long before the fire time, so rows still settling are not flagged; unset: it ends at the fire time.
             */
            settle?: string;
            /**
             * @description The detector is stopped after this many seconds, counted from the end of the load (a SQL or HTTP source has its own `data_source.timeout_seconds`); the rule that was running is named.
             * @default 600
             */
            timeout_seconds?: number;
            /**
             * @description Heap limit of the detector process.
             * @default 512
             */
            memory_mb?: number;
            /**
             * @description Attempts per trigger; a failed attempt below this is retried.
             * @default 1
             */
            max_attempts?: number;
            /**
             * @description Runs of this project at once, across every executor.
             * @default 1
             */
            max_concurrency?: number;
            /**
             * @description Findings kept per rule and run. A rule that returns more keeps its first this many; the rest are counted (`findings_truncated` on the execution, its rule result and the report) and none of that rule's discrepancies is resolved by the run, since its unseen findings could be among them.
             * @default 10000
             */
            max_findings_per_rule?: number;
            /** @description The team whose TEAM_MAX_RUNNING limit this project's runs count against; unset: none. */
            team?: string;
            /** @description Notification channels that `report.channels` and `alert.channels` name. */
            channels?: (
              | {
                  /** @description What `report.channels` and `alert.channels` call it. */
                  name: string;
                  /**
                   * @description A signed JSON POST.
                   * @enum {string}
                   */
                  kind: "webhook";
                  /** @description The secret holding the URL; the body is signed with REPORT_SIGNING_SECRET as reports are. */
                  url_env: string;
                }
              | {
                  /** @description What `report.channels` and `alert.channels` call it. */
                  name: string;
                  /**
                   * @description A Slack-style incoming webhook.
                   * @enum {string}
                   */
                  kind: "slack";
                  /** @description The secret holding the incoming-webhook URL. */
                  url_env: string;
                }
              | {
                  /** @description What `report.channels` and `alert.channels` call it. */
                  name: string;
                  /**
                   * @description Mail through the executor's SMTP_URL.
                   * @enum {string}
                   */
                  kind: "email";
                  /** @description Recipients. */
                  to: string[];
                  /** @description Sender; unset: SMTP_FROM of the executor. */
                  from?: string;
                  /** @description Put before every subject, e.g. `[billing]`. */
                  subject_prefix?: string;
                }
            )[];
            /**
             * @description Reports of each run's findings.
             * @default {
             *       "mode": "on_change"
             *     }
             */
            report?: {
              /** @description The secret holding the report webhook URL; unset: the executor's REPORT_URL. */
              url_env?: string;
              /**
               * @description When a run sends a report: every run, runs with findings, runs that opened, reopened or resolved a discrepancy, or never.
               * @default on_change
               * @enum {string}
               */
              mode?: "always" | "on_findings" | "on_change" | "none";
              /** @description Channels that get each report as well as `url_env`. Set: the executor's REPORT_URL is not used for this project. */
              channels?: string[];
              /**
               * Format: duration
               * @description At most one report per this interval, carrying every transition since the last one; unset: a report per execution.
               */
              digest?: string;
            };
            /** @description Alerts when runs fail or time out; unset: none. */
            alert?: {
              /** @description The secret holding a Slack-style webhook URL for alerts; needed unless `channels` is set. */
              slack_webhook_env?: string;
              /** @description Channels that get each alert as well as `slack_webhook_env`. */
              channels?: string[];
              /**
               * @description At most one alert per this many seconds.
               * @default 900
               */
              min_interval_seconds?: number;
              /**
               * @description Run statuses that alert; `partial`: some rules failed (a run whose rules all failed is `failed`).
               * @default [
               *       "failed",
               *       "timeout"
               *     ]
               */
              on?: ("failed" | "timeout" | "partial")[];
              /**
               * @description The alert fires once this many consecutive final runs ended in a status of `on`.
               * @default 1
               */
              after_failures?: number;
              /**
               * @description Send one recovery alert when a run succeeds after an alert.
               * @default true
               */
              recovery?: boolean;
            };
            /** @description How long executions are kept; unset fields: the cleaner's RETENTION_* settings. */
            retention?: {
              /** @description Executions kept, newest first; older ones are pruned. Unset: RETENTION_KEEP_LAST. */
              keep_last?: number;
              /** @description Executions older than this are pruned (never the latest finished one). Unset: RETENTION_MAX_AGE_DAYS. */
              max_age_days?: number;
              /** @description Failed, timed-out, partial and lost executions are kept this long instead. Unset: RETENTION_FAILED_MAX_AGE_DAYS. */
              failed_max_age_days?: number;
            };
            /** @description How discrepancies age. */
            discrepancies?: {
              /**
               * Format: duration
               * @description A discrepancy whose row no run has read for this long becomes `expired`, never `resolved`. Unset: it keeps its state, marked not evaluated, until a run reads its row again.
               */
              expire_after?: string;
            };
          };
          /**
           * @description When the project runs; none: only on demand.
           * @default []
           */
          schedules?: {
            /** @description Five-field cron (`*\/15 * * * *`), checked when written. */
            cron_expression: string;
            /**
             * @description IANA time zone the cron expression is read in.
             * @default UTC
             */
            timezone?: string;
            /**
             * @description A fire while a run is still going: run it too, skip it, or cancel the running one.
             * @default forbid
             * @enum {string}
             */
            concurrency_policy?: "allow" | "forbid" | "replace";
            /**
             * @description Fires missed while nothing was scheduling: skip them, run the latest once, or run each.
             * @default run_once
             * @enum {string}
             */
            misfire_policy?: "skip" | "run_once" | "run_all";
            /**
             * @description A fire not started within this many seconds is skipped; null: no deadline.
             * @default null
             */
            starting_deadline_seconds?: number | null;
            /**
             * @description An inactive schedule fires nothing.
             * @default true
             */
            is_active?: boolean;
          }[];
          /**
           * @description The checks each run makes on the rows.
           * @default []
           */
          rules?: {
            /** @description Unique within the project; part of each finding's fingerprint, so renaming a rule opens its findings afresh. */
            rule_id: string;
            /**
             * @description Free reference to where the rule came from.
             * @default null
             */
            definition_id?: string | null;
            /**
             * @description What the rule checks, for people.
             * @default
             */
            description?: string;
            /**
             * @description Free grouping.
             * @default general
             */
            category?: string;
            /**
             * @description The severity of a finding that does not set its own.
             * @default medium
             * @enum {string}
             */
            severity?: "info" | "low" | "medium" | "high" | "critical";
            /**
             * @description The rule in words, for reviewers.
             * @default
             */
            logic?: string;
            /** @description JavaScript (an ES module) exporting `detect(rows, params, ctx)`; see "The rule contract". */
            code: string;
            /**
             * @description What to do about a finding, for whoever triages it.
             * @default
             */
            explanation?: string;
            /**
             * @description Passed to `detect` as `params`.
             * @default {}
             */
            parameters?: {
              [key: string]: unknown;
            };
            /**
             * @description Free list of what the rule relies on (tables, fields).
             * @default []
             */
            dependencies?: string[];
            /**
             * @description An inactive rule is not run.
             * @default true
             */
            is_active?: boolean;
          }[];
        };
      };
    };
    responses: {
      /** @description Replaced */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApplyProjectResult"];
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApplyProjectResult"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  delete_projects_id: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Deleted"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  patch_projects_id: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ProjectPatch"];
      };
    };
    responses: {
      /** @description Changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Project"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_schedules: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Schedules */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ScheduleWithNextRuns"][];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_projects_id_schedules: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description Five-field cron (`*\/15 * * * *`), checked when written. */
          cron_expression: string;
          /**
           * @description IANA time zone the cron expression is read in.
           * @default UTC
           */
          timezone?: string;
          /**
           * @description A fire while a run is still going: run it too, skip it, or cancel the running one.
           * @default forbid
           * @enum {string}
           */
          concurrency_policy?: "allow" | "forbid" | "replace";
          /**
           * @description Fires missed while nothing was scheduling: skip them, run the latest once, or run each.
           * @default run_once
           * @enum {string}
           */
          misfire_policy?: "skip" | "run_once" | "run_all";
          /**
           * @description A fire not started within this many seconds is skipped; null: no deadline.
           * @default null
           */
          starting_deadline_seconds?: number | null;
          /**
           * @description An inactive schedule fires nothing.
           * @default true
           */
          is_active?: boolean;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ScheduleWithNextRuns"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_schedules_scheduleId: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The schedule */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ScheduleWithNextRuns"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  delete_projects_id_schedules_scheduleId: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Deleted"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  patch_projects_id_schedules_scheduleId: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["SchedulePatch"];
      };
    };
    responses: {
      /** @description Changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ScheduleWithNextRuns"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_rules: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Rules */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Rule"][];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_projects_id_rules: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description Unique within the project; part of each finding's fingerprint, so renaming a rule opens its findings afresh. */
          rule_id: string;
          /**
           * @description Free reference to where the rule came from.
           * @default null
           */
          definition_id?: string | null;
          /**
           * @description What the rule checks, for people.
           * @default
           */
          description?: string;
          /**
           * @description Free grouping.
           * @default general
           */
          category?: string;
          /**
           * @description The severity of a finding that does not set its own.
           * @default medium
           * @enum {string}
           */
          severity?: "info" | "low" | "medium" | "high" | "critical";
          /**
           * @description The rule in words, for reviewers.
           * @default
           */
          logic?: string;
          /** @description JavaScript (an ES module) exporting `detect(rows, params, ctx)`; see "The rule contract". */
          code: string;
          /**
           * @description What to do about a finding, for whoever triages it.
           * @default
           */
          explanation?: string;
          /**
           * @description Passed to `detect` as `params`.
           * @default {}
           */
          parameters?: {
            [key: string]: unknown;
          };
          /**
           * @description Free list of what the rule relies on (tables, fields).
           * @default []
           */
          dependencies?: string[];
          /**
           * @description An inactive rule is not run.
           * @default true
           */
          is_active?: boolean;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Rule"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_rules_ruleId: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        ruleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The rule */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Rule"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  delete_projects_id_rules_ruleId: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        ruleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Deleted"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  patch_projects_id_rules_ruleId: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        ruleId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["RulePatch"];
      };
    };
    responses: {
      /** @description Changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Rule"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_failures: {
    parameters: {
      query?: {
        status?: string;
        project_id?: string;
        hours?: number;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Recent failures */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["FailureList"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_executions: {
    parameters: {
      query?: {
        status?: string;
        from?: string;
        to?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of executions */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ExecutionList"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_runs: {
    parameters: {
      query?: {
        status?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of runs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RunList"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_executions_id_changes: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the execution's discrepancy changes, oldest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ExecutionChanges"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_executions_id: {
    parameters: {
      query?: {
        findings_limit?: number;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The execution */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ExecutionDetail"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_executions_id_replay: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Queued */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Replay"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_discrepancies: {
    parameters: {
      query?: {
        status?: string;
        severity?: string;
        rule_id?: string;
        assignee?: string;
        resolved_within_hours?: number;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of discrepancies */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DiscrepancyList"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  patch_projects_id_discrepancies: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["DiscrepancyBulkTriage"];
      };
    };
    responses: {
      /** @description The discrepancies now, in the order given */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DiscrepancyBulkTriageResult"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `triage` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="triage"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description One of them may not move to that status */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_projects_id_discrepancies_fingerprint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        fingerprint: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The discrepancy and its history */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DiscrepancyDetail"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  patch_projects_id_discrepancies_fingerprint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        fingerprint: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["DiscrepancyTriage"];
      };
    };
    responses: {
      /** @description The discrepancy now */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Discrepancy"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `triage` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="triage"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description It may not move to that status from its own */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_executions_id_deliveries: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deliveries, oldest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ExecutionDeliveries"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_reports_dead: {
    parameters: {
      query?: {
        project_id?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of dead letters */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DeadLetterList"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_reports_id_requeue: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The re-queued delivery */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ReportDelivery"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `admin` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="admin"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_channels_test: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ChannelTestRequest"];
      };
    };
    responses: {
      /** @description What the receiver answered */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ChannelTestResponse"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `write` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="write"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_audit: {
    parameters: {
      query?: {
        target?: string;
        actor?: string;
        action?: string;
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of audit events */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["AuditList"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `admin` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="admin"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_cron_preview: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["CronPreviewRequest"];
      };
    };
    responses: {
      /** @description Fire times */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["CronPreview"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `read` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="read"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_tokens: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Tokens */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TokenList"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `admin` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="admin"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  post_tokens: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["TokenCreateRequest"];
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TokenCreated"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `admin` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="admin"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body larger than the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Wrong Content-Type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Body does not validate (details lists each problem) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  delete_tokens_name: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Token"];
        };
      };
      /** @description Malformed request: bad path parameter, query string or JSON */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`) */
      401: {
        headers: {
          /** @description `Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description A valid token without the scope `admin` (`forbidden`; the message names the scope) */
      403: {
        headers: {
          /** @description `Bearer error="insufficient_scope", scope="admin"` (RFC 6750) */
          "WWW-Authenticate"?: string;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Conflicts with the current state (e.g. the id exists) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Too many writes from this token or address in the current window (`rate_limited`) */
      429: {
        headers: {
          /** @description Seconds until the window resets */
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  "get_openapi.json": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OpenAPI 3.1 */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            [key: string]: unknown;
          };
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
  get_docs: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description HTML page */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "text/html": string;
        };
      };
      /** @description Unexpected server error (logged) */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ApiError"];
        };
      };
    };
  };
}
