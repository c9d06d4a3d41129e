-- Executor dispatch throughput (issue 4's benchmark): record many finished runs in ONE call.
--
-- `vigil_finish_runs(worker, runs)` is `finishRun` (packages/db/src/queries/executions/finish-run.ts)
-- for a batch of runs without findings: per run, the trigger transition, the execution row and,
-- for a clean success, resolving the project's open discrepancies. Every run is fenced on its
-- own (worker + attempt + status running, and its execution row still running for this worker):
-- a run whose fence fails is left out, the others are written. One statement, so without a
-- transaction around it the whole batch is atomic by itself; inside one (the report hook's) it
-- joins it. A plpgsql function for the same reason as the claim (0004): one round trip and a
-- plan cached per connection instead of planning a large statement on every call.
--
-- The report guard: a run whose report hook was skipped by the executor (its project's report
-- settings cannot produce an outbox row for it, judged from the project config it last saw)
-- carries that config's md5 as `guard_md5`. It is only written if the project's config is still
-- exactly that one AND, for a success that resolves discrepancies, nothing would be resolved
-- (a resolution is a change an `on_change` report must carry). Otherwise it comes back
-- `guarded`, writes nothing, and the executor records it again inside a transaction with the hook.
-- The TypeScript side (packages/db/src/queries/executions/finish-runs.ts) documents the input.

CREATE FUNCTION vigil_finish_runs(p_worker text, p_runs jsonb)
RETURNS TABLE (ord integer, outcome text, config_md5 text, project_config jsonb, resolved jsonb)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
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
      resolve boolean, except_rule_ids text[], project_id text, guard_md5 text)
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
      row_count = g.row_count, detector_hash = g.detector_hash,
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
END $$;

-- The claim (0004) again, with one change: the project probe orders by fire_at so it always uses
-- triggers_project_pending_idx (see the comment at step 1). The semantics are unchanged; the
-- TypeScript side (packages/db/src/queries/triggers/claim.ts) documents them.
CREATE OR REPLACE FUNCTION vigil_claim_due_triggers(p_worker text, p_lease_seconds integer, p_limit integer)
RETURNS TABLE (
  outcome text, trigger_id bigint, project_id text, execution_id bigint, schedule_id bigint, source text,
  fire_at timestamptz, attempt integer, max_attempts integer, window_start timestamptz, window_end timestamptz,
  started_at timestamptz, reason text, replaced_by bigint)
LANGUAGE plpgsql VOLATILE
-- the statements' shapes do not depend on the arguments: plan once per connection, not per call
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_projects text[];
BEGIN
  -- 1. Lock every project that has a due pending trigger, in id order (no deadlocks between
  --    claimers). FOR NO KEY UPDATE does not conflict with FOREIGN KEY checks (KEY SHARE), so
  --    recording and trigger creation never wait on it; claimers of one project serialize.
  --    A LATERAL ... LIMIT 1 probe per project (triggers_project_pending_idx), not EXISTS: with
  --    stale statistics the planner turned EXISTS into a hash of every due trigger (8 ms for 3,700).
  --    ORDER BY fire_at (0009): without it, statistics taken while every row was pending made the
  --    LIMIT 1 a sequential scan that walked past every finished trigger on each claim (0.6 ms at
  --    4,000 finished rows, growing with the table); the order only the index gives pins the index.
  SELECT array_agg(locked.id) INTO v_projects FROM (
    SELECT p.id FROM projects p
    CROSS JOIN LATERAL (
      SELECT 1 FROM triggers t
      WHERE t.project_id = p.id AND t.status = 'pending' AND t.fire_at <= now() AND t.available_at <= now()
      ORDER BY t.fire_at
      LIMIT 1) due
    ORDER BY p.id
    FOR NO KEY UPDATE OF p) locked;
  IF v_projects IS NULL THEN
    RETURN;
  END IF;
  -- 2. The claim. In a VOLATILE function each statement takes a new snapshot, so this one
  --    sees every claim committed by whoever held those project locks before us.
  RETURN QUERY
  WITH due AS (
    SELECT t.id, t.project_id, t.fire_at, t.concurrency_policy AS policy,
           (t.attempt = 0 AND t.starting_deadline_seconds IS NOT NULL
            AND t.fire_at + make_interval(secs => t.starting_deadline_seconds) < now()) AS expired,
           t.starting_deadline_seconds
    FROM unnest(v_projects::text[]) AS p(id)
    CROSS JOIN LATERAL (
      SELECT * FROM triggers t
      WHERE t.project_id = p.id AND t.status = 'pending' AND t.fire_at <= now() AND t.available_at <= now()
      -- fire_at alone, so triggers_project_pending_idx (project_id, fire_at) returns rows in order
      -- and the LIMIT stops the scan; a tie-break on id would sort every due row of the project
      ORDER BY t.fire_at
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED
    ) t
  ),
  state AS (
    SELECT p.id AS project_id, p.is_active,
           CASE WHEN jsonb_typeof(p.config -> 'max_concurrency') = 'number'
                THEN greatest((p.config ->> 'max_concurrency')::numeric::int, 1) ELSE 1 END AS max_concurrency,
           CASE WHEN jsonb_typeof(p.config -> 'max_attempts') = 'number'
                THEN greatest((p.config ->> 'max_attempts')::numeric::int, 1) END AS max_attempts,
           (SELECT count(*)::int FROM triggers r WHERE r.project_id = p.id AND r.status = 'running') AS running
    FROM projects p WHERE p.id = ANY(v_projects::text[])
  ),
  ranked AS (
    SELECT d.id, d.project_id, d.fire_at, d.policy, s.running, s.max_concurrency,
           row_number() OVER (PARTITION BY d.project_id ORDER BY d.fire_at, d.id) AS rn
    FROM due d JOIN state s USING (project_id)
    WHERE s.is_active AND NOT d.expired
  ),
  firsts AS (
    SELECT project_id, id AS first_id, policy AS first_policy,
           CASE policy WHEN 'replace' THEN true WHEN 'forbid' THEN running = 0 ELSE running < max_concurrency END AS first_ok
    FROM ranked WHERE rn = 1
  ),
  others AS (
    SELECT r.*, row_number() OVER (PARTITION BY r.project_id ORDER BY r.fire_at, r.id) AS allow_rank
    FROM ranked r WHERE r.rn > 1 AND r.policy = 'allow'
  ),
  runnable AS (
    SELECT r.id, r.project_id, r.fire_at, r.rn FROM ranked r JOIN firsts f USING (project_id)
    WHERE r.rn = 1 AND f.first_ok
    UNION ALL
    SELECT o.id, o.project_id, o.fire_at, o.rn FROM others o JOIN firsts f USING (project_id)
    WHERE (CASE WHEN f.first_policy = 'replace' THEN 0 ELSE o.running END) + f.first_ok::int + o.allow_rank <= o.max_concurrency
  ),
  chosen AS (
    SELECT id, project_id FROM runnable ORDER BY fire_at, project_id, rn LIMIT p_limit
  ),
  chosen_first AS (
    SELECT f.project_id, f.first_id, f.first_policy FROM firsts f JOIN chosen c ON c.id = f.first_id
  ),
  skips AS (
    SELECT d.id, 'missed its starting deadline (' || d.starting_deadline_seconds || ' s after fire_at)' AS reason
    FROM due d WHERE d.expired
    UNION ALL
    SELECT d.id, 'project ' || d.project_id || ' is inactive'
    FROM due d JOIN state s USING (project_id) WHERE NOT s.is_active AND NOT d.expired
    UNION ALL
    SELECT r.id, 'concurrency policy forbid: another run of project ' || r.project_id || ' is running'
    FROM ranked r LEFT JOIN chosen_first cf USING (project_id)
    WHERE r.policy = 'forbid' AND (r.running > 0 OR cf.first_id IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM chosen c WHERE c.id = r.id)
  ),
  claimed AS (
    UPDATE triggers t SET status = 'running', claimed_by = p_worker, claimed_at = now(),
           lease_expires_at = now() + make_interval(secs => p_lease_seconds),
           attempt = t.attempt + 1, max_attempts = coalesce(s.max_attempts, t.max_attempts),
           last_error = NULL, updated_at = now()
    FROM chosen c JOIN state s USING (project_id)
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
    UPDATE triggers t SET status = 'skipped', last_error = s.reason, finished_at = now(), updated_at = now()
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
END $$;

-- Every claim inserts an executions row and every record updates it (status changes, so never a
-- HOT update): each index of executions is written twice per run. executions_created_idx
-- (created_at) duplicates the leading key of executions_created_covering_idx (0008: created_at
-- INCLUDE project_id, status, duration_ms), which serves every created_at lookup it served
-- (stats, retention cutoffs) at least as well.
DROP INDEX IF EXISTS executions_created_idx;
