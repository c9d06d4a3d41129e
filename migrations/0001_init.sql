-- Vigil schema, version 1. Frozen in time: later changes go in new numbered files.
-- Every status/enum column has a CHECK constraint; every index below names the query it serves.

CREATE TABLE projects (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  config      jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
  is_active   boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schedules (
  id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id                text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  cron_expression           text NOT NULL,
  timezone                  text NOT NULL DEFAULT 'UTC',
  concurrency_policy        text NOT NULL DEFAULT 'forbid'
                            CHECK (concurrency_policy IN ('allow', 'forbid', 'replace')),
  misfire_policy            text NOT NULL DEFAULT 'run_once'
                            CHECK (misfire_policy IN ('skip', 'run_once', 'run_all')),
  starting_deadline_seconds integer CHECK (starting_deadline_seconds > 0),
  is_active                 boolean NOT NULL DEFAULT true,
  -- bumped on every change of cron, timezone or policy, so the trigger-creator can tell
  -- which not-yet-claimed triggers were made from an older definition
  version                   integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- the newest fire time the trigger-creator has materialized (its cursor)
  materialized_until        timestamptz,
  -- set by the trigger-creator when a row written past the API cannot be scheduled
  invalid_reason            text,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
-- trigger-creator: active schedules, scanned in id order in batches
CREATE INDEX schedules_active_idx ON schedules (id) WHERE is_active;
CREATE INDEX schedules_project_idx ON schedules (project_id);

CREATE TABLE rules (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  rule_id       text NOT NULL CHECK (rule_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$'),
  definition_id text,
  description   text NOT NULL DEFAULT '',
  category      text NOT NULL DEFAULT 'general',
  severity      text NOT NULL DEFAULT 'medium'
                CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  logic         text NOT NULL DEFAULT '',
  code          text NOT NULL,
  explanation   text NOT NULL DEFAULT '',
  parameters    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parameters) = 'object'),
  dependencies  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(dependencies) = 'array'),
  is_active     boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, rule_id)
);

CREATE TABLE triggers (
  id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  schedule_id               bigint REFERENCES schedules (id) ON DELETE SET NULL,
  project_id                text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  -- the intended run time; with schedule_id the identity of a scheduled run
  fire_at                   timestamptz NOT NULL,
  -- when the trigger may be claimed: fire_at, or later for a retry with backoff
  available_at              timestamptz NOT NULL,
  source                    text NOT NULL CHECK (source IN ('schedule', 'manual', 'retry', 'catchup')),
  status                    text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
  attempt                   integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts              integer NOT NULL DEFAULT 1 CHECK (max_attempts >= 1),
  -- copied from the schedule when the trigger is made, so the claim needs no join
  concurrency_policy        text NOT NULL DEFAULT 'allow'
                            CHECK (concurrency_policy IN ('allow', 'forbid', 'replace')),
  starting_deadline_seconds integer CHECK (starting_deadline_seconds > 0),
  schedule_version          integer,
  -- manual runs may choose their data window; null means "the project's lookback before fire_at"
  window_start              timestamptz,
  window_end                timestamptz,
  requested_by              text,
  claimed_by                text,
  claimed_at                timestamptz,
  lease_expires_at          timestamptz,
  last_error                text,
  finished_at               timestamptz,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT triggers_schedule_fire_at_key UNIQUE (schedule_id, fire_at),
  CONSTRAINT triggers_running_has_claim CHECK (
    status <> 'running' OR (claimed_by IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CONSTRAINT triggers_window_order CHECK (window_start IS NULL OR window_end IS NULL OR window_start < window_end)
);
-- claim: the oldest due pending triggers
CREATE INDEX triggers_due_idx ON triggers (available_at) WHERE status = 'pending';
-- rescue: running triggers by lease expiry
CREATE INDEX triggers_lease_idx ON triggers (lease_expires_at) WHERE status = 'running';
-- concurrency policy and per-project limit: running triggers of one project
CREATE INDEX triggers_running_project_idx ON triggers (project_id) WHERE status = 'running';
-- API /queue and project pages: pending triggers per project in time order
CREATE INDEX triggers_project_pending_idx ON triggers (project_id, fire_at) WHERE status = 'pending';
-- cleaner: finished triggers by age
CREATE INDEX triggers_finished_idx ON triggers (finished_at)
  WHERE status IN ('succeeded', 'failed', 'skipped', 'cancelled');

CREATE TABLE executions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trigger_id      bigint REFERENCES triggers (id) ON DELETE SET NULL,
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  attempt         integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled', 'timeout')),
  source          text NOT NULL DEFAULT 'schedule' CHECK (source IN ('schedule', 'manual', 'retry', 'catchup')),
  scheduled_for   timestamptz NOT NULL,
  started_at      timestamptz,
  finished_at     timestamptz,
  duration_ms     integer CHECK (duration_ms >= 0),
  exit_code       integer,
  signal          text,
  error_message   text,
  stdout_tail     text,
  stderr_tail     text,
  stdout_bytes    bigint,
  stderr_bytes    bigint,
  findings_count  integer NOT NULL DEFAULT 0 CHECK (findings_count >= 0),
  rules_total     integer NOT NULL DEFAULT 0,
  rules_failed    integer NOT NULL DEFAULT 0,
  -- per rule: { ruleId, status, durationMs, findings, error? }
  rule_results    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rule_results) = 'array'),
  row_count       integer,
  detector_hash   text,
  worker_id       text,
  window_start    timestamptz,
  window_end      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
-- API: a project's executions, newest first, cursor on id
CREATE INDEX executions_project_id_idx ON executions (project_id, id DESC);
CREATE INDEX executions_project_status_idx ON executions (project_id, status, id DESC);
CREATE INDEX executions_trigger_idx ON executions (trigger_id);
-- stats and retention by age
CREATE INDEX executions_created_idx ON executions (created_at);
-- at most one live execution per trigger: the fence made structural
CREATE UNIQUE INDEX executions_one_running_per_trigger_idx ON executions (trigger_id)
  WHERE status IN ('pending', 'running');

CREATE TABLE findings (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  execution_id  bigint NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  rule_id       text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  fingerprint   text NOT NULL,
  finding_key   text NOT NULL,
  message       text NOT NULL,
  data          jsonb,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX findings_execution_idx ON findings (execution_id);
CREATE INDEX findings_project_fingerprint_idx ON findings (project_id, fingerprint);

CREATE TABLE discrepancies (
  project_id             text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  fingerprint            text NOT NULL,
  rule_id                text NOT NULL,
  finding_key            text NOT NULL,
  severity               text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  message                text NOT NULL,
  data                   jsonb,
  status                 text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  occurrences            integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
  first_seen_at          timestamptz NOT NULL,
  last_seen_at           timestamptz NOT NULL,
  resolved_at            timestamptz,
  -- evidence: plain ids, not foreign keys, so pruning executions never blocks on them
  first_execution_id     bigint NOT NULL,
  last_execution_id      bigint NOT NULL,
  resolved_execution_id  bigint,
  PRIMARY KEY (project_id, fingerprint),
  CONSTRAINT discrepancies_resolved_consistent CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE INDEX discrepancies_project_status_idx ON discrepancies (project_id, status, last_seen_at DESC);

CREATE TABLE report_outbox (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id        text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  execution_id      bigint REFERENCES executions (id) ON DELETE SET NULL,
  kind              text NOT NULL DEFAULT 'report' CHECK (kind IN ('report', 'alert')),
  idempotency_key   text NOT NULL UNIQUE,
  -- the env var naming the URL, or null for the global REPORT_URL; never the URL itself
  target_env        text,
  payload           jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivering', 'delivered', 'dead')),
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts      integer NOT NULL DEFAULT 10 CHECK (max_attempts >= 1),
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  claimed_by        text,
  lease_expires_at  timestamptz,
  last_status_code  integer,
  last_error        text,
  delivered_at      timestamptz,
  dead_at           timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
-- delivery: due rows, oldest first
CREATE INDEX report_outbox_due_idx ON report_outbox (next_attempt_at, id) WHERE status = 'pending';
-- delivery keeps order per project: the oldest undelivered row of a project goes first
CREATE INDEX report_outbox_project_open_idx ON report_outbox (project_id, id)
  WHERE status IN ('pending', 'delivering');
CREATE INDEX report_outbox_execution_idx ON report_outbox (execution_id);
CREATE INDEX report_outbox_dead_idx ON report_outbox (dead_at) WHERE status = 'dead';
CREATE INDEX report_outbox_delivered_idx ON report_outbox (delivered_at) WHERE status = 'delivered';

CREATE TABLE report_delivery_attempts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id     bigint NOT NULL REFERENCES report_outbox (id) ON DELETE CASCADE,
  attempt       integer NOT NULL CHECK (attempt >= 1),
  worker_id     text,
  started_at    timestamptz NOT NULL,
  latency_ms    integer,
  status_code   integer,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_delivery_attempts_outbox_idx ON report_delivery_attempts (outbox_id, attempt);

CREATE TABLE datasets (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id   text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  format       text NOT NULL CHECK (format IN ('json', 'csv')),
  filename     text,
  rows         jsonb NOT NULL CHECK (jsonb_typeof(rows) = 'array'),
  row_count    integer NOT NULL CHECK (row_count >= 0),
  size_bytes   integer NOT NULL CHECK (size_bytes >= 0),
  sha256       text NOT NULL,
  uploaded_by  text,
  uploaded_at  timestamptz NOT NULL DEFAULT now()
);
-- manual data source: the latest dataset of a project
CREATE INDEX datasets_project_idx ON datasets (project_id, id DESC);

CREATE TABLE workers (
  id                 text PRIMARY KEY,
  app                text NOT NULL CHECK (app IN ('api', 'trigger-creator', 'executor', 'cleaner')),
  hostname           text NOT NULL,
  pid                integer NOT NULL,
  version            text NOT NULL,
  status             text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopping', 'stopped', 'dead')),
  concurrency        integer,
  running            integer NOT NULL DEFAULT 0,
  info               jsonb NOT NULL DEFAULT '{}',
  started_at         timestamptz NOT NULL DEFAULT now(),
  last_heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at         timestamptz
);
CREATE INDEX workers_app_heartbeat_idx ON workers (app, last_heartbeat_at DESC);

-- what each maintenance pass did (the cleaner's prune counts), for /status and /metrics
CREATE TABLE maintenance_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  worker_id    text,
  kind         text NOT NULL DEFAULT 'retention' CHECK (kind IN ('retention')),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  duration_ms  integer,
  pruned       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(pruned) = 'object'),
  error        text
);
CREATE INDEX maintenance_runs_started_idx ON maintenance_runs (started_at DESC);

-- Wake-up hints (NOTIFY on new triggers, changed schedules and projects, new outbox rows): the
-- functions and their triggers live in packages/db/sql/vigil_notify_*.sql.
