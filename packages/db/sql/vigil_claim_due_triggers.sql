-- The claim: every due trigger an executor takes, and every decision about one, in one call.
-- packages/db/src/queries/triggers/claim.ts documents the semantics; the claim.*.test.ts files
-- next to it pin them.
--
-- A plpgsql function, not a statement sent from TypeScript: the claim is two statements (lock,
-- then claim with a snapshot taken after the locks), so as a function it is one round trip instead
-- of four (BEGIN, lock, claim, COMMIT), and its plans are cached per connection (planning the claim
-- statement cost more than running it). One statement decides every case (allow, forbid, replace,
-- deadlines, inactive projects, the project, team and global limits): a cheaper second path for
-- the all-`allow` case used to save ~0.1 ms of executor start-up per claim at concurrency 1, which
-- is not what a run costs (its detector is), so the claim is written once.

-- Replaces every signature of the function, so a changed parameter list never leaves an overload
-- behind (a call with three arguments would then be ambiguous).
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.proname = 'vigil_claim_due_triggers' AND p.pronamespace = current_schema()::text::regnamespace
  LOOP
    EXECUTE format('DROP FUNCTION %s', f);
  END LOOP;
END $$;

-- p_global_limit: most running triggers in the whole database (GLOBAL_MAX_RUNNING), null for none.
-- p_team_limits: most running triggers per team, {"finance": 4} (TEAM_MAX_RUNNING); a team not
-- named, and a project without a team, has no limit of its own. Both default to none, so an
-- executor that passes three arguments claims as before them.
CREATE FUNCTION vigil_claim_due_triggers(
  p_worker text, p_lease_seconds integer, p_limit integer,
  p_global_limit integer DEFAULT NULL, p_team_limits jsonb DEFAULT NULL)
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
END $$;
