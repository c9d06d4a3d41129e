-- The claim's cost no longer grows with the number of projects.
--
-- 0010's first step found the projects with due work by probing triggers_project_pending_idx once
-- per row of `projects`: with 2,000 projects whose next runs were materialized ahead (the
-- trigger-creator's horizon), every claim and every idle poll cost 4.3 ms of server time against
-- 0.5 ms with one project (PostgreSQL 15, measured with pgbench). It now skip-scans the same index
-- over project ids (step 1 below); everything after step 1 is 0010's text, unchanged.
-- packages/db/src/queries/triggers/claim-many-projects.test.ts pins the semantics; bench/executor
-- prints the claim's cost with 2,000 idle projects as a ratio to one project.

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
  v_ids bigint[];
  v_simple boolean;
BEGIN
  -- 1. Lock every project that has a due pending trigger, in id order (no deadlocks between
  --    claimers). FOR NO KEY UPDATE does not conflict with FOREIGN KEY checks (KEY SHARE), so
  --    recording and trigger creation never wait on it; claimers of one project serialize.
  --    The projects are found by a skip scan of triggers_project_pending_idx (project_id, fire_at):
  --    each step descends to the next project after the last one found that has a pending trigger
  --    with fire_at <= now(), so a project whose pending triggers all lie ahead costs only the
  --    index entries walked past, checked inside the index (0010 probed every project once: 2 µs
  --    a project, 4.3 ms per claim and per idle poll with 2,000 projects).
  SELECT array_agg(locked.id) INTO v_projects FROM (
    SELECT p.id FROM projects p
    -- = ANY(ARRAY(...)), not IN (...): the planner guessed 100 projects from the recursive CTE and
    -- hashed it against a sequential scan of every project (0.25 ms at 2,000); this probes the pkey
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
  -- 2a. The claim's common case, in two small statements instead of 0009's large one: every due
  --     trigger the claim looks at (per locked project, the oldest `p_limit`, locked SKIP LOCKED as
  --     0009 does) has policy allow, no missed starting deadline, and an active project. Then 0009's
  --     statement would skip and cancel nothing, and would run, per project in fire_at order, the
  --     first max_concurrency - running of them (its first/others arithmetic reduces to that for
  --     allow), taken across projects in (fire_at, project, rank) order up to p_limit; so this does
  --     exactly that, without building the skip and cancel statements it does not need.
  --     Anything else (a forbid or replace trigger, a missed deadline, an inactive project): 2b.
  SELECT array_agg(c.id ORDER BY c.fire_at, c.project_id, c.rn) FILTER (WHERE c.rn <= c.room), bool_and(c.simple)
  INTO v_ids, v_simple
  FROM (
    SELECT t.id, t.project_id, t.fire_at, s.room,
           row_number() OVER (PARTITION BY t.project_id ORDER BY t.fire_at, t.id) AS rn,
           s.is_active AND t.concurrency_policy = 'allow'
             AND NOT (t.attempt = 0 AND t.starting_deadline_seconds IS NOT NULL
                      AND t.fire_at + make_interval(secs => t.starting_deadline_seconds) < now()) AS simple
    FROM (
      SELECT p.id, p.is_active,
             CASE WHEN jsonb_typeof(p.config -> 'max_concurrency') = 'number'
                  THEN greatest((p.config ->> 'max_concurrency')::numeric::int, 1) ELSE 1 END
             - (SELECT count(*)::int FROM triggers r WHERE r.project_id = p.id AND r.status = 'running') AS room
      FROM projects p WHERE p.id = ANY(v_projects::text[])
    ) s
    CROSS JOIN LATERAL (
      SELECT * FROM triggers t
      WHERE t.project_id = s.id AND t.status = 'pending' AND t.fire_at <= now() AND t.available_at <= now()
      ORDER BY t.fire_at
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED
    ) t
  ) c;
  IF v_simple IS NOT FALSE THEN
    IF v_ids IS NOT NULL THEN
      RETURN QUERY
      WITH claimed AS (
        UPDATE triggers t SET status = 'running', claimed_by = p_worker, claimed_at = now(),
               lease_expires_at = now() + make_interval(secs => p_lease_seconds),
               attempt = t.attempt + 1,
               max_attempts = coalesce((
                 SELECT CASE WHEN jsonb_typeof(p.config -> 'max_attempts') = 'number'
                             THEN greatest((p.config ->> 'max_attempts')::numeric::int, 1) END
                 FROM projects p WHERE p.id = t.project_id), t.max_attempts),
               last_error = NULL, updated_at = now()
        WHERE t.id = ANY(v_ids[1:p_limit])
        RETURNING t.*
      ),
      started AS (
        INSERT INTO executions (trigger_id, project_id, attempt, status, source, scheduled_for, started_at, worker_id, window_start, window_end)
        SELECT c.id, c.project_id, c.attempt, 'running', c.source, c.fire_at, now(), p_worker, c.window_start, c.window_end
        FROM claimed c
        RETURNING id, trigger_id, started_at
      )
      SELECT 'claimed', c.id, c.project_id, st.id, c.schedule_id, c.source, c.fire_at, c.attempt, c.max_attempts,
             c.window_start, c.window_end, st.started_at, NULL::text, NULL::bigint
      FROM claimed c JOIN started st ON st.trigger_id = c.id;
    END IF;
    RETURN;
  END IF;
  -- 2b. The claim in general: 0009's statement, unchanged. It locks again the rows 2a locked (a
  --     transaction never skips its own locks). In a VOLATILE function each statement takes a new
  --     snapshot, so 2a and 2b see every claim committed by whoever held those project locks before us.
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
