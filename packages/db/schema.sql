-- The migrated schema (packages/db/src/schema-dump.ts). Regenerate: npm run schema:dump -w @vigil/db
-- PostgreSQL 18

CREATE TABLE datasets (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  project_id text NOT NULL,
  format text NOT NULL,
  filename text,
  rows jsonb NOT NULL,
  row_count integer NOT NULL,
  size_bytes integer NOT NULL,
  sha256 text NOT NULL,
  uploaded_by text,
  uploaded_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE datasets ADD CONSTRAINT datasets_format_check CHECK ((format = ANY (ARRAY['json'::text, 'csv'::text])));
ALTER TABLE datasets ADD CONSTRAINT datasets_pkey PRIMARY KEY (id);
ALTER TABLE datasets ADD CONSTRAINT datasets_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE datasets ADD CONSTRAINT datasets_row_count_check CHECK ((row_count >= 0));
ALTER TABLE datasets ADD CONSTRAINT datasets_rows_check CHECK ((jsonb_typeof(rows) = 'array'::text));
ALTER TABLE datasets ADD CONSTRAINT datasets_size_bytes_check CHECK ((size_bytes >= 0));

CREATE TABLE discrepancies (
  project_id text NOT NULL,
  fingerprint text NOT NULL,
  rule_id text NOT NULL,
  finding_key text NOT NULL,
  severity text NOT NULL,
  message text NOT NULL,
  data jsonb,
  status text DEFAULT 'open'::text NOT NULL,
  occurrences integer DEFAULT 1 NOT NULL,
  first_seen_at timestamp with time zone NOT NULL,
  last_seen_at timestamp with time zone NOT NULL,
  resolved_at timestamp with time zone,
  first_execution_id bigint NOT NULL,
  last_execution_id bigint NOT NULL,
  resolved_execution_id bigint
);
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_occurrences_check CHECK ((occurrences >= 1));
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_pkey PRIMARY KEY (project_id, fingerprint);
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_resolved_consistent CHECK (((status = 'resolved'::text) = (resolved_at IS NOT NULL)));
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'low'::text, 'medium'::text, 'high'::text, 'critical'::text])));
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_status_check CHECK ((status = ANY (ARRAY['open'::text, 'resolved'::text])));

CREATE TABLE executions (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  trigger_id bigint,
  project_id text NOT NULL,
  attempt integer DEFAULT 1 NOT NULL,
  status text DEFAULT 'pending'::text NOT NULL,
  source text DEFAULT 'schedule'::text NOT NULL,
  scheduled_for timestamp with time zone NOT NULL,
  started_at timestamp with time zone,
  finished_at timestamp with time zone,
  duration_ms integer,
  exit_code integer,
  signal text,
  error_message text,
  stdout_tail text,
  stderr_tail text,
  stdout_bytes bigint,
  stderr_bytes bigint,
  findings_count integer DEFAULT 0 NOT NULL,
  rules_total integer DEFAULT 0 NOT NULL,
  rules_failed integer DEFAULT 0 NOT NULL,
  rule_results jsonb DEFAULT '[]'::jsonb NOT NULL,
  row_count integer,
  detector_hash text,
  worker_id text,
  window_start timestamp with time zone,
  window_end timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  sandbox jsonb
);
ALTER TABLE executions ADD CONSTRAINT executions_attempt_check CHECK ((attempt >= 1));
ALTER TABLE executions ADD CONSTRAINT executions_duration_ms_check CHECK ((duration_ms >= 0));
ALTER TABLE executions ADD CONSTRAINT executions_findings_count_check CHECK ((findings_count >= 0));
ALTER TABLE executions ADD CONSTRAINT executions_pkey PRIMARY KEY (id);
ALTER TABLE executions ADD CONSTRAINT executions_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE executions ADD CONSTRAINT executions_rule_results_check CHECK ((jsonb_typeof(rule_results) = 'array'::text));
ALTER TABLE executions ADD CONSTRAINT executions_source_check CHECK ((source = ANY (ARRAY['schedule'::text, 'manual'::text, 'retry'::text, 'catchup'::text])));
ALTER TABLE executions ADD CONSTRAINT executions_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'success'::text, 'failed'::text, 'cancelled'::text, 'timeout'::text, 'lost'::text])));
ALTER TABLE executions ADD CONSTRAINT executions_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES triggers(id) ON DELETE SET NULL;

CREATE TABLE findings (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  execution_id bigint NOT NULL,
  project_id text NOT NULL,
  rule_id text NOT NULL,
  severity text NOT NULL,
  fingerprint text NOT NULL,
  finding_key text NOT NULL,
  message text NOT NULL,
  data jsonb,
  created_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE findings ADD CONSTRAINT findings_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id) ON DELETE CASCADE;
ALTER TABLE findings ADD CONSTRAINT findings_pkey PRIMARY KEY (id);
ALTER TABLE findings ADD CONSTRAINT findings_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE findings ADD CONSTRAINT findings_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'low'::text, 'medium'::text, 'high'::text, 'critical'::text])));

CREATE TABLE maintenance_runs (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  worker_id text,
  kind text DEFAULT 'retention'::text NOT NULL,
  started_at timestamp with time zone NOT NULL,
  finished_at timestamp with time zone,
  duration_ms integer,
  pruned jsonb DEFAULT '{}'::jsonb NOT NULL,
  error text
);
ALTER TABLE maintenance_runs ADD CONSTRAINT maintenance_runs_kind_check CHECK ((kind = 'retention'::text));
ALTER TABLE maintenance_runs ADD CONSTRAINT maintenance_runs_pkey PRIMARY KEY (id);
ALTER TABLE maintenance_runs ADD CONSTRAINT maintenance_runs_pruned_check CHECK ((jsonb_typeof(pruned) = 'object'::text));

CREATE TABLE projects (
  id text NOT NULL,
  name text NOT NULL,
  description text DEFAULT ''::text NOT NULL,
  config jsonb NOT NULL,
  is_active boolean DEFAULT true NOT NULL,
  version integer DEFAULT 1 NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  max_concurrency integer GENERATED ALWAYS AS (
CASE
    WHEN (jsonb_typeof((config -> 'max_concurrency'::text)) = 'number'::text) THEN (LEAST(GREATEST(round(((config ->> 'max_concurrency'::text))::numeric), (1)::numeric), (1000)::numeric))::integer
    ELSE 1
END) STORED NOT NULL,
  max_attempts integer GENERATED ALWAYS AS (
CASE
    WHEN (jsonb_typeof((config -> 'max_attempts'::text)) = 'number'::text) THEN (LEAST(GREATEST(round(((config ->> 'max_attempts'::text))::numeric), (1)::numeric), (100)::numeric))::integer
    ELSE 1
END) STORED NOT NULL,
  team text GENERATED ALWAYS AS (
CASE
    WHEN (jsonb_typeof((config -> 'team'::text)) = 'string'::text) THEN (config ->> 'team'::text)
    ELSE NULL::text
END) STORED
);
ALTER TABLE projects ADD CONSTRAINT projects_config_check CHECK ((jsonb_typeof(config) = 'object'::text));
ALTER TABLE projects ADD CONSTRAINT projects_id_check CHECK ((id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'::text));
ALTER TABLE projects ADD CONSTRAINT projects_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200)));
ALTER TABLE projects ADD CONSTRAINT projects_pkey PRIMARY KEY (id);
ALTER TABLE projects ADD CONSTRAINT projects_version_check CHECK ((version >= 1));

CREATE TABLE report_delivery_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  outbox_id bigint NOT NULL,
  attempt integer NOT NULL,
  worker_id text,
  started_at timestamp with time zone NOT NULL,
  latency_ms integer,
  status_code integer,
  error text,
  created_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE report_delivery_attempts ADD CONSTRAINT report_delivery_attempts_attempt_check CHECK ((attempt >= 1));
ALTER TABLE report_delivery_attempts ADD CONSTRAINT report_delivery_attempts_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES report_outbox(id) ON DELETE CASCADE;
ALTER TABLE report_delivery_attempts ADD CONSTRAINT report_delivery_attempts_pkey PRIMARY KEY (id);

CREATE TABLE report_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  project_id text NOT NULL,
  execution_id bigint,
  kind text DEFAULT 'report'::text NOT NULL,
  idempotency_key text NOT NULL,
  target_env text,
  payload jsonb NOT NULL,
  status text DEFAULT 'pending'::text NOT NULL,
  attempts integer DEFAULT 0 NOT NULL,
  max_attempts integer DEFAULT 10 NOT NULL,
  next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
  claimed_by text,
  lease_expires_at timestamp with time zone,
  last_status_code integer,
  last_error text,
  delivered_at timestamp with time zone,
  dead_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_attempts_check CHECK ((attempts >= 0));
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_execution_id_fkey FOREIGN KEY (execution_id) REFERENCES executions(id) ON DELETE SET NULL;
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_idempotency_key_key UNIQUE (idempotency_key);
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_kind_check CHECK ((kind = ANY (ARRAY['report'::text, 'alert'::text])));
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_max_attempts_check CHECK ((max_attempts >= 1));
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_pkey PRIMARY KEY (id);
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivering'::text, 'delivered'::text, 'dead'::text])));

CREATE TABLE rules (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  project_id text NOT NULL,
  rule_id text NOT NULL,
  definition_id text,
  description text DEFAULT ''::text NOT NULL,
  category text DEFAULT 'general'::text NOT NULL,
  severity text DEFAULT 'medium'::text NOT NULL,
  logic text DEFAULT ''::text NOT NULL,
  code text NOT NULL,
  explanation text DEFAULT ''::text NOT NULL,
  parameters jsonb DEFAULT '{}'::jsonb NOT NULL,
  dependencies jsonb DEFAULT '[]'::jsonb NOT NULL,
  is_active boolean DEFAULT true NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE rules ADD CONSTRAINT rules_dependencies_check CHECK ((jsonb_typeof(dependencies) = 'array'::text));
ALTER TABLE rules ADD CONSTRAINT rules_parameters_check CHECK ((jsonb_typeof(parameters) = 'object'::text));
ALTER TABLE rules ADD CONSTRAINT rules_pkey PRIMARY KEY (id);
ALTER TABLE rules ADD CONSTRAINT rules_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE rules ADD CONSTRAINT rules_project_id_rule_id_key UNIQUE (project_id, rule_id);
ALTER TABLE rules ADD CONSTRAINT rules_rule_id_check CHECK ((rule_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$'::text));
ALTER TABLE rules ADD CONSTRAINT rules_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'low'::text, 'medium'::text, 'high'::text, 'critical'::text])));

CREATE TABLE schedules (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  project_id text NOT NULL,
  cron_expression text NOT NULL,
  timezone text DEFAULT 'UTC'::text NOT NULL,
  concurrency_policy text DEFAULT 'forbid'::text NOT NULL,
  misfire_policy text DEFAULT 'run_once'::text NOT NULL,
  starting_deadline_seconds integer,
  is_active boolean DEFAULT true NOT NULL,
  version integer DEFAULT 1 NOT NULL,
  materialized_until timestamp with time zone,
  invalid_reason text,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  materialized_version integer,
  next_unmaterialized_at timestamp with time zone
);
ALTER TABLE schedules ADD CONSTRAINT schedules_concurrency_policy_check CHECK ((concurrency_policy = ANY (ARRAY['allow'::text, 'forbid'::text, 'replace'::text])));
ALTER TABLE schedules ADD CONSTRAINT schedules_misfire_policy_check CHECK ((misfire_policy = ANY (ARRAY['skip'::text, 'run_once'::text, 'run_all'::text])));
ALTER TABLE schedules ADD CONSTRAINT schedules_pkey PRIMARY KEY (id);
ALTER TABLE schedules ADD CONSTRAINT schedules_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE schedules ADD CONSTRAINT schedules_starting_deadline_seconds_check CHECK ((starting_deadline_seconds > 0));
ALTER TABLE schedules ADD CONSTRAINT schedules_version_check CHECK ((version >= 1));

CREATE TABLE triggers (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  schedule_id bigint,
  project_id text NOT NULL,
  fire_at timestamp with time zone NOT NULL,
  available_at timestamp with time zone NOT NULL,
  source text NOT NULL,
  status text DEFAULT 'pending'::text NOT NULL,
  attempt integer DEFAULT 0 NOT NULL,
  max_attempts integer DEFAULT 1 NOT NULL,
  concurrency_policy text DEFAULT 'allow'::text NOT NULL,
  starting_deadline_seconds integer,
  schedule_version integer,
  window_start timestamp with time zone,
  window_end timestamp with time zone,
  requested_by text,
  claimed_by text,
  claimed_at timestamp with time zone,
  lease_expires_at timestamp with time zone,
  last_error text,
  finished_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  rescues integer DEFAULT 0 NOT NULL,
  skipped_for_trigger_id bigint,
  team text
);
ALTER TABLE triggers ADD CONSTRAINT triggers_attempt_check CHECK ((attempt >= 0));
ALTER TABLE triggers ADD CONSTRAINT triggers_concurrency_policy_check CHECK ((concurrency_policy = ANY (ARRAY['allow'::text, 'forbid'::text, 'replace'::text])));
ALTER TABLE triggers ADD CONSTRAINT triggers_max_attempts_check CHECK ((max_attempts >= 1));
ALTER TABLE triggers ADD CONSTRAINT triggers_pkey PRIMARY KEY (id);
ALTER TABLE triggers ADD CONSTRAINT triggers_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;
ALTER TABLE triggers ADD CONSTRAINT triggers_rescues_check CHECK ((rescues >= 0));
ALTER TABLE triggers ADD CONSTRAINT triggers_running_has_claim CHECK (((status <> 'running'::text) OR ((claimed_by IS NOT NULL) AND (lease_expires_at IS NOT NULL))));
ALTER TABLE triggers ADD CONSTRAINT triggers_schedule_fire_at_key UNIQUE (schedule_id, fire_at);
ALTER TABLE triggers ADD CONSTRAINT triggers_schedule_id_fkey FOREIGN KEY (schedule_id) REFERENCES schedules(id) ON DELETE SET NULL;
ALTER TABLE triggers ADD CONSTRAINT triggers_source_check CHECK ((source = ANY (ARRAY['schedule'::text, 'manual'::text, 'retry'::text, 'catchup'::text])));
ALTER TABLE triggers ADD CONSTRAINT triggers_starting_deadline_seconds_check CHECK ((starting_deadline_seconds > 0));
ALTER TABLE triggers ADD CONSTRAINT triggers_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'skipped'::text, 'cancelled'::text])));
ALTER TABLE triggers ADD CONSTRAINT triggers_window_order CHECK (((window_start IS NULL) OR (window_end IS NULL) OR (window_start < window_end)));

CREATE TABLE workers (
  id text NOT NULL,
  app text NOT NULL,
  hostname text NOT NULL,
  pid integer NOT NULL,
  version text NOT NULL,
  status text DEFAULT 'running'::text NOT NULL,
  concurrency integer,
  running integer DEFAULT 0 NOT NULL,
  info jsonb DEFAULT '{}'::jsonb NOT NULL,
  started_at timestamp with time zone DEFAULT now() NOT NULL,
  last_heartbeat_at timestamp with time zone DEFAULT now() NOT NULL,
  stopped_at timestamp with time zone,
  presence_lock boolean DEFAULT false NOT NULL
);
ALTER TABLE workers ADD CONSTRAINT workers_app_check CHECK ((app = ANY (ARRAY['api'::text, 'trigger-creator'::text, 'executor'::text, 'cleaner'::text])));
ALTER TABLE workers ADD CONSTRAINT workers_pkey PRIMARY KEY (id);
ALTER TABLE workers ADD CONSTRAINT workers_status_check CHECK ((status = ANY (ARRAY['running'::text, 'stopping'::text, 'stopped'::text, 'dead'::text])));

CREATE INDEX datasets_project_idx ON public.datasets USING btree (project_id, id DESC);
CREATE INDEX discrepancies_open_first_execution_idx ON public.discrepancies USING btree (first_execution_id) WHERE (status = 'open'::text);
CREATE INDEX discrepancies_open_last_execution_idx ON public.discrepancies USING btree (last_execution_id) WHERE (status = 'open'::text);
CREATE INDEX discrepancies_project_status_idx ON public.discrepancies USING btree (project_id, status, last_seen_at DESC);
CREATE INDEX executions_created_covering_idx ON public.executions USING btree (created_at) INCLUDE (project_id, status, duration_ms);
CREATE UNIQUE INDEX executions_one_running_per_trigger_idx ON public.executions USING btree (trigger_id) WHERE (status = ANY (ARRAY['pending'::text, 'running'::text]));
CREATE INDEX executions_project_created_idx ON public.executions USING btree (project_id, created_at) INCLUDE (status, duration_ms);
CREATE INDEX executions_project_id_idx ON public.executions USING btree (project_id, id DESC);
CREATE INDEX executions_project_status_idx ON public.executions USING btree (project_id, status, id DESC);
CREATE INDEX executions_trigger_idx ON public.executions USING btree (trigger_id);
CREATE INDEX findings_execution_idx ON public.findings USING btree (execution_id);
CREATE INDEX findings_project_fingerprint_idx ON public.findings USING btree (project_id, fingerprint);
CREATE INDEX maintenance_runs_started_idx ON public.maintenance_runs USING btree (started_at DESC);
CREATE INDEX report_delivery_attempts_outbox_idx ON public.report_delivery_attempts USING btree (outbox_id, attempt);
CREATE INDEX report_outbox_dead_idx ON public.report_outbox USING btree (dead_at) WHERE (status = 'dead'::text);
CREATE INDEX report_outbox_delivered_idx ON public.report_outbox USING btree (delivered_at) WHERE (status = 'delivered'::text);
CREATE INDEX report_outbox_due_idx ON public.report_outbox USING btree (next_attempt_at, id) WHERE (status = 'pending'::text);
CREATE INDEX report_outbox_execution_idx ON public.report_outbox USING btree (execution_id);
CREATE INDEX report_outbox_project_alert_idx ON public.report_outbox USING btree (project_id, created_at DESC) WHERE (kind = 'alert'::text);
CREATE INDEX report_outbox_project_open_idx ON public.report_outbox USING btree (project_id, id) WHERE (status = ANY (ARRAY['pending'::text, 'delivering'::text]));
CREATE INDEX schedules_active_idx ON public.schedules USING btree (id) WHERE is_active;
CREATE INDEX schedules_project_idx ON public.schedules USING btree (project_id);
CREATE INDEX schedules_unmaterialized_idx ON public.schedules USING btree (id) WHERE (materialized_version IS DISTINCT FROM version);
CREATE INDEX triggers_due_idx ON public.triggers USING btree (available_at) WHERE (status = 'pending'::text);
CREATE INDEX triggers_finished_idx ON public.triggers USING btree (finished_at) WHERE (status = ANY (ARRAY['succeeded'::text, 'failed'::text, 'skipped'::text, 'cancelled'::text]));
CREATE INDEX triggers_lease_idx ON public.triggers USING btree (lease_expires_at) WHERE (status = 'running'::text);
CREATE INDEX triggers_orphaned_idx ON public.triggers USING btree (id) WHERE ((status = 'pending'::text) AND (schedule_id IS NULL) AND (source = ANY (ARRAY['schedule'::text, 'catchup'::text])));
CREATE INDEX triggers_project_pending_idx ON public.triggers USING btree (project_id, fire_at) WHERE (status = 'pending'::text);
CREATE INDEX triggers_running_project_idx ON public.triggers USING btree (project_id) WHERE (status = 'running'::text);
CREATE INDEX triggers_running_team_idx ON public.triggers USING btree (team) WHERE ((status = 'running'::text) AND (team IS NOT NULL));
CREATE INDEX triggers_skipped_for_idx ON public.triggers USING btree (skipped_for_trigger_id) WHERE (skipped_for_trigger_id IS NOT NULL);
CREATE INDEX workers_app_heartbeat_idx ON public.workers USING btree (app, last_heartbeat_at DESC);

CREATE OR REPLACE FUNCTION public.vigil_bump_project_schedules()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  UPDATE schedules SET version = version + 1 WHERE project_id = NEW.id;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.vigil_bump_schedule_version()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF NEW.version = OLD.version THEN
    NEW.version := OLD.version + 1;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $function$;

CREATE OR REPLACE FUNCTION public.vigil_claim_due_triggers(p_worker text, p_lease_seconds integer, p_limit integer, p_global_limit integer DEFAULT NULL::integer, p_team_limits jsonb DEFAULT NULL::jsonb)
 RETURNS TABLE(outcome text, trigger_id bigint, project_id text, execution_id bigint, schedule_id bigint, source text, fire_at timestamp with time zone, attempt integer, max_attempts integer, window_start timestamp with time zone, window_end timestamp with time zone, started_at timestamp with time zone, reason text, replaced_by bigint)
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
#variable_conflict use_column
DECLARE
  v_projects text[];
  v_team_lock integer;
BEGIN
  -- 1. Lock every project that has a due pending trigger, in id order (no deadlocks between
  --    claimers). This serializes claimers per project, which makes `forbid` and the project limit
  --    exact across replicas. FOR NO KEY UPDATE does not conflict with FOREIGN KEY checks (KEY
  --    SHARE), so recording and trigger creation never wait on it.
  --    The projects are found by a skip scan of triggers_project_pending_idx (project_id, fire_at):
  --    each step descends to the next project after the last one found that has a pending trigger
  --    with fire_at <= now(), so projects whose pending triggers all lie ahead (the trigger-creator's
  --    horizon) cost only the index entries walked past, not a probe each (2 µs a project).
  SELECT array_agg(locked.id) INTO v_projects FROM (
    SELECT p.id FROM projects p
    -- = ANY(ARRAY(...)), not IN (...): the planner guessed 100 projects from the recursive CTE and
    -- hashed it against a sequential scan of every project; this probes the primary key
    WHERE p.id = ANY(ARRAY(
      WITH RECURSIVE due AS (
        (SELECT t.project_id FROM triggers t
         WHERE t.status = 'pending' AND t.fire_at <= now() AND t.available_at <= now()
         ORDER BY t.project_id, t.fire_at
         LIMIT 1)
        UNION ALL
        SELECT following.project_id FROM due CROSS JOIN LATERAL (
          SELECT t.project_id FROM triggers t
          WHERE t.status = 'pending' AND t.project_id > due.project_id
            AND t.fire_at <= now() AND t.available_at <= now()
          ORDER BY t.project_id, t.fire_at
          LIMIT 1) following)
      SELECT due.project_id FROM due))
    ORDER BY p.id
    FOR NO KEY UPDATE OF p) locked;
  IF v_projects IS NULL THEN
    RETURN;
  END IF;

  -- 2. Team and global limits are exact the same way: every claimer that could add a run to a
  --    limited team takes that team's transaction lock, and with a global limit every claimer takes
  --    the global one, after its project locks and in one order (team locks by key, then global),
  --    so claimers never deadlock. Only the teams of the projects just locked, so the cost follows
  --    the due work, not the number of teams. Two teams whose names hash alike share a lock: they
  --    serialize, they are not counted together.
  IF p_team_limits IS NOT NULL THEN
    FOR v_team_lock IN
      SELECT DISTINCT hashtext(p.team) FROM projects p
      WHERE p.id = ANY(v_projects) AND p.team IS NOT NULL AND p_team_limits ? p.team
      ORDER BY 1
    LOOP
      PERFORM pg_advisory_xact_lock(73020, v_team_lock);
    END LOOP;
  END IF;
  IF p_global_limit IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(73021, 0);
  END IF;

  -- 3. The claim. In a VOLATILE function each statement takes a new snapshot, so this one sees every
  --    claim committed by whoever held those locks before us. (In one statement with step 1 the
  --    counts would come from a snapshot older than the locks, and two replicas could both see
  --    room for one more run.)
  RETURN QUERY
  WITH project AS (
    SELECT p.id AS project_id, p.is_active, p.max_concurrency, p.max_attempts, p.team,
           (SELECT count(*)::int FROM triggers r WHERE r.project_id = p.id AND r.status = 'running') AS running
    FROM projects p WHERE p.id = ANY(v_projects)
  ),
  -- room left in each limited team of these projects (triggers_running_team_idx)
  team_room AS (
    SELECT l.team, l.max_running - (SELECT count(*)::int FROM triggers r WHERE r.team = l.team AND r.status = 'running') AS room
    FROM (SELECT DISTINCT pr.team, (p_team_limits ->> pr.team)::int AS max_running
          FROM project pr WHERE pr.team IS NOT NULL AND p_team_limits ? pr.team) l
  ),
  -- how many runs this claim may start: the caller's free slots, within the global limit
  claim_room AS (
    SELECT greatest(0, CASE WHEN p_global_limit IS NULL THEN p_limit
                            ELSE least(p_limit, p_global_limit - (SELECT count(*)::int FROM triggers r WHERE r.status = 'running'))
                       END) AS room
  ),
  -- per project, the oldest due pending triggers (at most p_limit), locked; a row another
  -- transaction holds (the trigger-creator cancelling it) is skipped, never waited on
  due AS (
    SELECT t.id, t.project_id, t.fire_at, t.available_at, t.concurrency_policy AS policy, t.starting_deadline_seconds,
           (t.attempt = 0 AND t.starting_deadline_seconds IS NOT NULL
            AND t.fire_at + make_interval(secs => t.starting_deadline_seconds) < now()) AS expired
    FROM project pr
    CROSS JOIN LATERAL (
      SELECT * FROM triggers t
      WHERE t.project_id = pr.project_id AND t.status = 'pending' AND t.fire_at <= now() AND t.available_at <= now()
      -- fire_at alone, so triggers_project_pending_idx (project_id, fire_at) returns rows in order
      -- and the LIMIT stops the scan; a tie-break on id would sort every due row of the project
      ORDER BY t.fire_at
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED
    ) t
  ),
  -- the due triggers that may run at all, numbered per project in fire_at order
  ranked AS (
    SELECT d.*, pr.running, pr.max_concurrency, pr.team,
           row_number() OVER (PARTITION BY d.project_id ORDER BY d.fire_at, d.id) AS rn
    FROM due d JOIN project pr USING (project_id)
    WHERE pr.is_active AND NOT d.expired
  ),
  -- per project, its oldest due trigger and what its policy allows: replace runs (cancelling what
  -- runs), forbid runs only if nothing of the project runs, allow runs below the project's limit
  firsts AS (
    SELECT f.project_id, f.id AS first_id, f.policy AS first_policy, f.first_ok,
           -- slots left for the project's later `allow` triggers (replace frees what it cancels)
           f.max_concurrency - CASE WHEN f.policy = 'replace' THEN 0 ELSE f.running END - f.first_ok::int AS room_after_first
    FROM (SELECT r.*, CASE r.policy WHEN 'replace' THEN true WHEN 'forbid' THEN r.running = 0
                                    ELSE r.running < r.max_concurrency END AS first_ok
          FROM ranked r WHERE r.rn = 1) f
  ),
  -- later triggers: only `allow` ones run beside the first, in fire_at order while room lasts;
  -- a later `replace` waits for the next claim, a later `forbid` is skipped below
  later_allows AS (
    SELECT r.id, r.project_id, row_number() OVER (PARTITION BY r.project_id ORDER BY r.fire_at, r.id) AS allow_rank
    FROM ranked r WHERE r.rn > 1 AND r.policy = 'allow'
  ),
  runnable AS (
    SELECT f.first_id AS id FROM firsts f WHERE f.first_ok
    UNION ALL
    SELECT a.id FROM later_allows a JOIN firsts f USING (project_id) WHERE a.allow_rank <= f.room_after_first
  ),
  -- what the projects allow, in a fair order: the longest due first; ties (one fire time of many
  -- projects) in an order that changes with the fire time, so no project always starts last
  fair AS (
    SELECT r.id, r.project_id, r.team,
           row_number() OVER (ORDER BY r.available_at, hashtext(r.project_id || ' ' || r.available_at::text),
                                       r.project_id, r.rn) AS fair_rank
    FROM runnable x JOIN ranked r USING (id)
  ),
  -- each limited team's room goes to its runs in that order
  within_team AS (
    SELECT f.*, row_number() OVER (PARTITION BY f.team ORDER BY f.fair_rank) AS team_rank
    FROM fair f
  ),
  -- a `replace` that cancels runs is not credited their slots here: the next claim sees them freed
  chosen AS (
    SELECT w.id, w.project_id, w.team FROM within_team w LEFT JOIN team_room tr USING (team)
    WHERE tr.room IS NULL OR w.team_rank <= tr.room
    ORDER BY w.fair_rank
    LIMIT (SELECT room FROM claim_room)
  ),
  chosen_first AS (
    SELECT f.project_id, f.first_id, f.first_policy FROM firsts f JOIN chosen c ON c.id = f.first_id
  ),
  skips AS (
    SELECT d.id, 'missed its starting deadline (' || d.starting_deadline_seconds || ' s after fire_at)' AS reason,
           NULL::bigint AS blocked_by
    FROM due d WHERE d.expired
    UNION ALL
    SELECT d.id, 'project ' || d.project_id || ' is inactive', NULL
    FROM due d JOIN project pr USING (project_id) WHERE NOT pr.is_active AND NOT d.expired
    UNION ALL
    -- forbid overlaps a run of the project: one that was running (the oldest claimed), or else the
    -- one this claim starts; the skip names it, so a rescue of that run can amend the reason
    SELECT r.id, 'concurrency policy forbid: another run of project ' || r.project_id || ' is running',
           CASE WHEN r.running > 0 AND cf.first_policy IS DISTINCT FROM 'replace'
                THEN (SELECT b.id FROM triggers b WHERE b.project_id = r.project_id AND b.status = 'running'
                      ORDER BY b.claimed_at, b.id LIMIT 1)
                ELSE cf.first_id END
    FROM ranked r LEFT JOIN chosen_first cf USING (project_id)
    WHERE r.policy = 'forbid' AND (r.running > 0 OR cf.first_id IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM chosen c WHERE c.id = r.id)
  ),
  claimed AS (
    UPDATE triggers t SET status = 'running', claimed_by = p_worker, claimed_at = now(),
           lease_expires_at = now() + make_interval(secs => p_lease_seconds),
           attempt = t.attempt + 1, max_attempts = pr.max_attempts, team = pr.team,
           last_error = NULL, skipped_for_trigger_id = NULL, updated_at = now()
    FROM chosen c JOIN project pr USING (project_id)
    WHERE t.id = c.id
    RETURNING t.*
  ),
  replaced AS (
    UPDATE triggers t SET status = 'cancelled', last_error = 'replaced by trigger ' || cf.first_id,
           lease_expires_at = NULL, finished_at = now(), updated_at = now()
    FROM chosen_first cf
    WHERE cf.first_policy = 'replace' AND t.project_id = cf.project_id AND t.status = 'running'
    RETURNING t.id, t.project_id, cf.first_id AS replaced_by
  ),
  replaced_executions AS (
    UPDATE executions e SET status = 'cancelled', error_message = 'replaced by trigger ' || r.replaced_by,
           finished_at = now(),
           duration_ms = greatest(0, floor(extract(epoch FROM now() - coalesce(e.started_at, now())) * 1000))::int
    FROM replaced r WHERE e.trigger_id = r.id AND e.status IN ('pending', 'running')
  ),
  skipped AS (
    UPDATE triggers t SET status = 'skipped', last_error = s.reason, skipped_for_trigger_id = s.blocked_by,
           finished_at = now(), updated_at = now()
    FROM skips s WHERE t.id = s.id
    RETURNING t.id, t.project_id, t.last_error
  ),
  started AS (
    INSERT INTO executions (trigger_id, project_id, attempt, status, source, scheduled_for, started_at, worker_id, window_start, window_end)
    SELECT c.id, c.project_id, c.attempt, 'running', c.source, c.fire_at, now(), p_worker, c.window_start, c.window_end
    FROM claimed c
    RETURNING id, trigger_id, started_at
  )
  SELECT 'claimed' AS outcome, c.id AS trigger_id, c.project_id, st.id AS execution_id, c.schedule_id, c.source,
         c.fire_at, c.attempt, c.max_attempts, c.window_start, c.window_end, st.started_at,
         NULL::text AS reason, NULL::bigint AS replaced_by
  FROM claimed c JOIN started st ON st.trigger_id = c.id
  UNION ALL
  SELECT 'skipped', s.id, s.project_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.last_error, NULL FROM skipped s
  UNION ALL
  SELECT 'replaced', r.id, r.project_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.replaced_by FROM replaced r;
END $function$;

CREATE OR REPLACE FUNCTION public.vigil_finish_runs(p_worker text, p_runs jsonb)
 RETURNS TABLE(ord integer, outcome text, config_md5 text, project_config jsonb, resolved jsonb)
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH b AS (
    SELECT * FROM jsonb_to_recordset(p_runs) AS r(
      ord integer, trigger_id bigint, attempt integer, kind text, status text, delay_seconds float8,
      last_error text, execution_id bigint, execution_status text, exit_code integer, signal text,
      error_message text, stdout_tail text, stderr_tail text, stdout_bytes bigint, stderr_bytes bigint,
      findings_count integer, rules_total integer, rules_failed integer, rule_results jsonb,
      row_count integer, detector_hash text, window_start timestamptz, window_end timestamptz,
      resolve boolean, except_rule_ids text[], project_id text, guard_md5 text, sandbox jsonb)
  ),
  g AS (
    SELECT b.*, p.config AS project_config, md5(p.config::text) AS current_md5,
           (b.guard_md5 IS NULL OR (
              md5(p.config::text) IS NOT DISTINCT FROM b.guard_md5
              AND NOT (b.resolve AND EXISTS (
                SELECT 1 FROM discrepancies d
                WHERE d.project_id = b.project_id AND d.status = 'open'
                  AND d.rule_id <> ALL(coalesce(b.except_rule_ids, '{}'::text[])))))) AS guard_ok
    FROM b LEFT JOIN projects p ON p.id = b.project_id
  ),
  t AS (
    UPDATE triggers t SET
      status = g.status,
      attempt = CASE WHEN g.kind = 'released' THEN t.attempt - 1 ELSE t.attempt END,
      available_at = CASE g.kind WHEN 'retry' THEN now() + make_interval(secs => g.delay_seconds)
                                 WHEN 'released' THEN now() ELSE t.available_at END,
      finished_at = CASE WHEN g.kind = 'finished' THEN now() END,
      lease_expires_at = NULL, last_error = g.last_error, updated_at = now()
    FROM g
    WHERE g.guard_ok AND t.id = g.trigger_id AND t.claimed_by = p_worker AND t.attempt = g.attempt
      AND t.status = 'running'
      AND EXISTS (SELECT 1 FROM executions x WHERE x.id = g.execution_id AND x.worker_id = p_worker AND x.status = 'running')
    RETURNING g.ord
  ),
  e AS (
    UPDATE executions x SET
      status = g.execution_status, finished_at = now(),
      duration_ms = greatest(0, floor(extract(epoch FROM now() - coalesce(x.started_at, now())) * 1000))::int,
      exit_code = g.exit_code, signal = g.signal, error_message = g.error_message,
      stdout_tail = g.stdout_tail, stderr_tail = g.stderr_tail,
      stdout_bytes = g.stdout_bytes, stderr_bytes = g.stderr_bytes,
      findings_count = coalesce(g.findings_count, 0), rules_total = coalesce(g.rules_total, 0),
      rules_failed = coalesce(g.rules_failed, 0), rule_results = coalesce(g.rule_results, '[]'::jsonb),
      row_count = g.row_count, detector_hash = g.detector_hash, sandbox = g.sandbox,
      window_start = coalesce(g.window_start, x.window_start),
      window_end = coalesce(g.window_end, x.window_end)
    FROM g JOIN t USING (ord)
    WHERE x.id = g.execution_id
    RETURNING g.ord, g.execution_id, g.project_id, g.resolve, g.except_rule_ids
  ),
  -- an open discrepancy is resolved by the first run of the batch (in batch order) that resolves
  -- it, as if the runs had been recorded one after another
  dr AS (
    SELECT DISTINCT ON (d.project_id, d.fingerprint) d.project_id, d.fingerprint, e.execution_id
    FROM e JOIN discrepancies d ON d.project_id = e.project_id AND d.status = 'open'
      AND d.rule_id <> ALL(coalesce(e.except_rule_ids, '{}'::text[]))
    WHERE e.resolve
    ORDER BY d.project_id, d.fingerprint, e.ord
  ),
  d AS (
    UPDATE discrepancies d SET status = 'resolved', resolved_at = now(), resolved_execution_id = dr.execution_id
    FROM dr
    WHERE d.project_id = dr.project_id AND d.fingerprint = dr.fingerprint AND d.status = 'open'
    RETURNING dr.execution_id, d.fingerprint, d.rule_id, d.finding_key, d.severity, d.message, d.occurrences, d.first_seen_at
  )
  SELECT g.ord,
         CASE WHEN NOT g.guard_ok THEN 'guarded' WHEN e.ord IS NOT NULL THEN 'recorded' ELSE 'lost' END,
         g.current_md5, g.project_config,
         (SELECT jsonb_agg(jsonb_build_object('fingerprint', d.fingerprint, 'rule_id', d.rule_id,
                   'finding_key', d.finding_key, 'severity', d.severity, 'message', d.message,
                   'occurrences', d.occurrences, 'first_seen_at', d.first_seen_at))
          FROM d WHERE d.execution_id = g.execution_id)
  FROM g LEFT JOIN e USING (ord);
END $function$;

CREATE OR REPLACE FUNCTION public.vigil_notify_outbox_inserted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_notify('vigil_outbox', '');
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.vigil_notify_schedules_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_notify('vigil_schedules', TG_TABLE_NAME);
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.vigil_notify_triggers_inserted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_notify('vigil_triggers', '');
  RETURN NULL;
END $function$;

CREATE TRIGGER projects_bump_schedule_versions AFTER UPDATE OF is_active ON public.projects FOR EACH ROW WHEN ((old.is_active IS DISTINCT FROM new.is_active)) EXECUTE FUNCTION vigil_bump_project_schedules();
CREATE TRIGGER projects_changed_notify AFTER INSERT OR DELETE OR UPDATE OF is_active, config ON public.projects FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_schedules_changed();
CREATE TRIGGER report_outbox_inserted_notify AFTER INSERT ON public.report_outbox FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_outbox_inserted();
CREATE TRIGGER schedules_bump_version BEFORE UPDATE ON public.schedules FOR EACH ROW WHEN (((((((old.cron_expression IS DISTINCT FROM new.cron_expression) OR (old.timezone IS DISTINCT FROM new.timezone)) OR (old.concurrency_policy IS DISTINCT FROM new.concurrency_policy)) OR (old.misfire_policy IS DISTINCT FROM new.misfire_policy)) OR (old.starting_deadline_seconds IS DISTINCT FROM new.starting_deadline_seconds)) OR (old.is_active IS DISTINCT FROM new.is_active))) EXECUTE FUNCTION vigil_bump_schedule_version();
CREATE TRIGGER schedules_changed_notify AFTER INSERT OR DELETE OR UPDATE OF cron_expression, timezone, concurrency_policy, misfire_policy, starting_deadline_seconds, is_active, version ON public.schedules FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_schedules_changed();
CREATE TRIGGER triggers_inserted_notify AFTER INSERT ON public.triggers FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_triggers_inserted();
