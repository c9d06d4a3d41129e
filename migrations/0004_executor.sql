-- Executor (issue 4): the claim as one function call.
--
-- Why a function and not a statement sent from TypeScript: the claim is two statements
-- (lock the projects, then claim with a snapshot taken after those locks) and a large one
-- at that. As a plpgsql function it is one round trip instead of four (BEGIN, lock, claim,
-- COMMIT), and its plans are cached per connection: planning the claim statement alone took
-- ~2.2 ms, more than executing it (~1.6 ms), on every claim (measured with EXPLAIN ANALYZE on
-- the bench machine). graphile-worker's get_job is a function for the same reason.
-- The TypeScript side (packages/db/src/queries/triggers/claim.ts) documents the semantics;
-- change both together, with a new migration (CREATE OR REPLACE FUNCTION).

CREATE FUNCTION vigil_claim_due_triggers(p_worker text, p_lease_seconds integer, p_limit integer)
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
  SELECT array_agg(locked.id) INTO v_projects FROM (
    SELECT p.id FROM projects p
    CROSS JOIN LATERAL (
      SELECT 1 FROM triggers t
      WHERE t.project_id = p.id AND t.status = 'pending' AND t.fire_at <= now() AND t.available_at <= now()
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
