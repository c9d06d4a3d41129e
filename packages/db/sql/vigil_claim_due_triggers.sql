-- The claim: every due trigger an executor takes, and every decision about one, in one call.
-- packages/db/src/queries/triggers/claim.ts documents the semantics; the claim.*.test.ts files
-- next to it pin them.
--
-- A plpgsql function, not a statement sent from TypeScript: the claim is two statements (lock,
-- then claim with a snapshot taken after the locks), so as a function it is one round trip instead
-- of four (BEGIN, lock, claim, COMMIT), and its plans are cached per connection (planning the claim
-- statement cost more than running it). One statement decides every case (allow, forbid, replace,
-- deadlines, inactive projects, the project, team and global limits). A second, smaller path
-- for the all-`allow` case would save ~0.5 ms per claim of one run (bench/executor/README.md),
-- which is not what a run costs (its detector is); the claim is written once.

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
  -- this round's candidate projects, and those of them this claim locked
  v_candidates text[];
  v_candidate_rows integer;
  v_projects text[];
  -- every project an earlier round of this claim took up: a round looks past them
  v_seen text[] := '{}';
  -- limited teams with no room left after a round: a later round looks past their projects
  v_full_teams text[] := '{}';
  -- due triggers a round reads as candidates: the caller's slots and a margin for refusals,
  -- doubled each round, so a claim whose first candidates are all refused needs few rounds
  v_batch integer := 2 * p_limit + 8;
  v_round integer := 0;
  v_global_held boolean := false;
  v_team_lock integer;
  -- {"finance": 2}: runs each limited team of the locked projects may still start
  v_team_room jsonb;
  -- runs this claim may start: the caller's free slots, within the global limit
  v_room integer;
  v_claimed integer := 0;
  v_round_claimed integer;
BEGIN
  -- A claim works in rounds over a batch of candidates, never over every project with due work:
  -- a herd of 300 due projects costs a claim what its batch costs (bench/claim). A round that
  -- fills the claim's room ends it; one whose candidates were refused (project, team or global
  -- limit, a held row) takes the next candidates, so due work behind refused work is still found.
  LOOP
    v_round := v_round + 1;
    -- 1. The candidates: the first due pending triggers in the claim's fair order (the longest
    --    due first, ties rotated by a hash of project and time, as `runnable` below orders them),
    --    read from triggers_due_fair_idx, which returns them in that order so the LIMIT stops the
    --    scan. Every trigger the statement below would take before one outside the batch belongs
    --    to a candidate project, so a batch that fills the room takes what a claim over every
    --    project would. Nothing is locked here; the locks below are taken on the batch's projects
    --    and the statement re-reads everything under them.
    SELECT array_agg(DISTINCT c.project_id), count(*) INTO v_candidates, v_candidate_rows FROM (
      SELECT t.project_id FROM triggers t
      WHERE t.status = 'pending' AND t.available_at <= now() AND t.fire_at <= now()
        AND t.project_id <> ALL(v_seen)
        AND (cardinality(v_full_teams) = 0
             OR NOT EXISTS (SELECT 1 FROM projects f WHERE f.id = t.project_id AND f.team = ANY(v_full_teams)))
      ORDER BY t.available_at,
               hashtext(t.project_id || ' ' || extract(epoch FROM t.available_at - timestamptz '1970-01-01 00:00:00+00')::text)
      LIMIT v_batch) c;
    EXIT WHEN v_candidates IS NULL;
    v_seen := v_seen || v_candidates;

    -- 2. Lock the candidate projects FOR NO KEY UPDATE in id order. This serializes claimers per
    --    project, which makes `forbid` and the project limit exact across replicas. FOR NO KEY
    --    UPDATE does not conflict with FOREIGN KEY checks (KEY SHARE), so recording and trigger
    --    creation never wait on it. The first round waits for each; a later round already holds
    --    locks out of that order, so it takes only the projects nobody holds (SKIP LOCKED) and
    --    never waits: claimers cannot deadlock. A project skipped here is another claimer's.
    IF v_round = 1 THEN
      SELECT array_agg(locked.id) INTO v_projects FROM (
        SELECT p.id FROM projects p WHERE p.id = ANY(v_candidates)
        ORDER BY p.id
        FOR NO KEY UPDATE OF p) locked;
    ELSE
      SELECT array_agg(locked.id) INTO v_projects FROM (
        SELECT p.id FROM projects p WHERE p.id = ANY(v_candidates)
        ORDER BY p.id
        FOR NO KEY UPDATE OF p SKIP LOCKED) locked;
    END IF;

    --    Team and global limits are exact the same way: every claimer that could add a run to a
    --    limited team holds that team's transaction lock, and with a global limit every claimer
    --    holds the global one, taken after its project locks and in one order (team locks by key,
    --    then global). Only the teams of the projects just locked, so the cost follows the batch,
    --    not the number of teams. Two teams whose names hash alike share a lock: they serialize,
    --    they are not counted together. A later round only tries a lock it does not hold yet and
    --    leaves the projects of a team it cannot get (or all of them without the global lock).
    IF v_projects IS NOT NULL AND p_team_limits IS NOT NULL THEN
      FOR v_team_lock IN
        SELECT DISTINCT hashtext(p.team) FROM projects p
        WHERE p.id = ANY(v_projects) AND p.team IS NOT NULL AND p_team_limits ? p.team
        ORDER BY 1
      LOOP
        IF v_round = 1 THEN
          PERFORM pg_advisory_xact_lock(73020, v_team_lock);
        ELSIF NOT pg_try_advisory_xact_lock(73020, v_team_lock) THEN
          v_projects := ARRAY(
            SELECT p.id FROM projects p
            WHERE p.id = ANY(v_projects)
              AND NOT (p.team IS NOT NULL AND p_team_limits ? p.team AND hashtext(p.team) = v_team_lock));
        END IF;
      END LOOP;
      IF cardinality(v_projects) = 0 THEN
        v_projects := NULL;
      END IF;
    END IF;
    IF v_projects IS NOT NULL AND p_global_limit IS NOT NULL AND NOT v_global_held THEN
      IF v_round = 1 THEN
        PERFORM pg_advisory_xact_lock(73021, 0);
        v_global_held := true;
      ELSE
        v_global_held := pg_try_advisory_xact_lock(73021, 0);
      END IF;
      IF NOT v_global_held THEN
        v_projects := NULL;
      END IF;
    END IF;

    IF v_projects IS NOT NULL THEN
      -- The rooms, counted from running triggers after the locks: only a claimer holding the same
      -- locks could add to them, and whatever ends a run meanwhile only frees room, so they are
      -- never too large for the statement below. They include this claim's earlier rounds.
      v_team_room := NULL;
      IF p_team_limits IS NOT NULL THEN
        SELECT jsonb_object_agg(l.team, l.max_running
                 - (SELECT count(*) FROM triggers r WHERE r.team = l.team AND r.status = 'running'))
        INTO v_team_room
        FROM (SELECT DISTINCT p.team, (p_team_limits ->> p.team)::int AS max_running FROM projects p
              WHERE p.id = ANY(v_projects) AND p.team IS NOT NULL AND p_team_limits ? p.team) l;
      END IF;
      v_room := p_limit - v_claimed;
      IF p_global_limit IS NOT NULL THEN
        v_room := least(v_room, p_global_limit - (SELECT count(*)::int FROM triggers r WHERE r.status = 'running'));
      END IF;
      v_room := greatest(v_room, 0);

      -- 3. The claim of the round's projects. In a VOLATILE function each statement takes a new
      --    snapshot, so this one sees every claim committed by whoever held those locks before us, and
      --    this claim's earlier rounds. (In one statement with step 2 the
      --    counts would come from a snapshot older than the locks, and two replicas could both see
      --    room for one more run.) The generic plan cannot know how many rows each step holds (it
      --    guesses one), so the steps are windows over one another and a step reads another only
      --    through IN (...), which it hashes; a join of two steps would be a nested loop over both.
      RETURN QUERY
      WITH project AS MATERIALIZED (
        SELECT p.id, p.is_active, p.max_concurrency, p.team,
               (SELECT count(*)::int FROM triggers r WHERE r.project_id = p.id AND r.status = 'running') AS running
        FROM projects p WHERE p.id = ANY(v_projects)
      ),
      due AS (
        -- per locked project, its oldest due pending triggers (at most p_limit), locked; a row another
        -- transaction holds (the trigger-creator cancelling it) is skipped, never waited on
        SELECT t.id, t.project_id, t.fire_at, t.available_at, t.concurrency_policy AS policy, t.starting_deadline_seconds,
               (t.attempt = 0 AND t.starting_deadline_seconds IS NOT NULL
                AND t.fire_at + make_interval(secs => t.starting_deadline_seconds) < now()) AS expired,
               p.is_active, p.max_concurrency, p.team, p.running
        FROM project p
        CROSS JOIN LATERAL (
          SELECT * FROM triggers t
          WHERE t.project_id = p.id AND t.status = 'pending' AND t.fire_at <= now() AND t.available_at <= now()
            -- A forbid schedule with more than one due fire time that never started is a backlog the
            -- trigger-creator has not settled yet (its misfire policy decides which run, then the
            -- current one: triggers/settle-missed.ts); claiming now would run the stale one first.
            -- Once settled, such a schedule has at most one due, never-started trigger.
            AND NOT (t.concurrency_policy = 'forbid' AND t.attempt = 0 AND t.schedule_id IS NOT NULL
                     AND t.source IN ('schedule', 'catchup')
                     AND EXISTS (SELECT 1 FROM triggers n
                                 WHERE n.schedule_id = t.schedule_id AND n.id <> t.id
                                   AND n.status = 'pending' AND n.attempt = 0
                                   AND n.fire_at <= now() AND n.available_at <= now()))
          -- fire_at alone, so triggers_project_pending_idx (project_id, fire_at) returns rows in order
          -- and the LIMIT stops the scan; a tie-break on id would sort every due row of the project
          ORDER BY t.fire_at
          LIMIT p_limit
          FOR UPDATE SKIP LOCKED
        ) t
      ),
      -- the due triggers that may run at all, in each project's fire_at order, with the project's first
      ranked AS (
        SELECT d.*, row_number() OVER w AS rn, first_value(d.id) OVER w AS first_id,
               first_value(d.policy) OVER w AS first_policy,
               count(*) FILTER (WHERE d.policy = 'allow') OVER w AS allows_so_far
        FROM due d WHERE d.is_active AND NOT d.expired
        WINDOW w AS (PARTITION BY d.project_id ORDER BY d.fire_at, d.id ROWS UNBOUNDED PRECEDING)
      ),
      -- what the project's policy and limit allow. The first: replace runs (cancelling what runs),
      -- forbid only if nothing of the project runs, allow below the project's limit. Later ones: only
      -- `allow`, in fire_at order while the limit lasts (replace frees what it cancels); a later
      -- `replace` waits for the next claim, a later `forbid` is skipped below.
      runnable AS (
        SELECT r.id, r.project_id, r.team, r.policy, r.rn, r.available_at,
               -- the fair order across projects: the longest due first; ties (one fire time of many
               -- projects) in an order that changes with the fire time, so no project always starts last
               hashtext(r.project_id || ' ' || extract(epoch FROM r.available_at - timestamptz '1970-01-01 00:00:00+00')::text) AS tie
        FROM ranked r
        CROSS JOIN LATERAL (
          SELECT CASE r.first_policy WHEN 'replace' THEN true WHEN 'forbid' THEN r.running = 0
                                     ELSE r.running < r.max_concurrency END AS first_ok) f
        WHERE CASE WHEN r.rn = 1 THEN f.first_ok
                   ELSE r.policy = 'allow'
                        AND r.allows_so_far - (r.first_policy = 'allow')::int
                            <= r.max_concurrency - CASE WHEN r.first_policy = 'replace' THEN 0 ELSE r.running END
                               - f.first_ok::int
              END
      ),
      -- runnable triggers of a limited team beyond its room, in the fair order (none without team limits)
      over_team AS (
        SELECT x.id FROM (
          SELECT u.id, u.team, row_number() OVER (PARTITION BY u.team ORDER BY u.available_at, u.tie, u.project_id, u.rn) AS team_rank
          FROM runnable u WHERE v_team_room ? u.team) x
        WHERE x.team_rank > (v_team_room ->> x.team)::int
      ),
      -- the claim's room, in the fair order; a `replace` that cancels runs is not credited their
      -- slots here: the next claim sees them freed
      chosen AS (
        SELECT u.id, u.project_id, u.policy, u.rn FROM runnable u
        WHERE u.id NOT IN (SELECT o.id FROM over_team o)
        ORDER BY u.available_at, u.tie, u.project_id, u.rn
        LIMIT v_room
      ),
      skips AS (
        SELECT d.id, 'missed its starting deadline (' || d.starting_deadline_seconds || ' s after fire_at)' AS reason,
               NULL::bigint AS blocked_by
        FROM due d WHERE d.expired
        UNION ALL
        SELECT d.id, 'project ' || d.project_id || ' is inactive', NULL
        FROM due d WHERE NOT d.is_active AND NOT d.expired
        UNION ALL
        -- forbid overlaps a run of the project: one that was running (the oldest claimed), or else the
        -- one this claim starts; the skip names it, so a rescue of that run can amend the reason
        SELECT x.id, 'concurrency policy forbid: another run of project ' || x.project_id || ' is running',
               CASE WHEN x.running > 0 AND NOT (x.first_chosen AND x.first_policy = 'replace')
                    THEN (SELECT b.id FROM triggers b WHERE b.project_id = x.project_id AND b.status = 'running'
                          ORDER BY b.claimed_at, b.id LIMIT 1)
                    ELSE x.first_id END
        FROM (SELECT r.*, r.project_id IN (SELECT c.project_id FROM chosen c WHERE c.rn = 1) AS first_chosen
              FROM ranked r WHERE r.policy = 'forbid' AND r.id NOT IN (SELECT c.id FROM chosen c)) x
        WHERE x.running > 0 OR x.first_chosen
      ),
      claimed AS (
        UPDATE triggers t SET status = 'running', claimed_by = p_worker, claimed_at = now(),
               lease_expires_at = now() + make_interval(secs => p_lease_seconds),
               attempt = t.attempt + 1, max_attempts = p.max_attempts, team = p.team,
               last_error = NULL, skipped_for_trigger_id = NULL, updated_at = now()
        FROM chosen c JOIN projects p ON p.id = c.project_id
        WHERE t.id = c.id
        RETURNING t.*
      ),
      replaced AS (
        UPDATE triggers t SET status = 'cancelled', last_error = 'replaced by trigger ' || c.id,
               lease_expires_at = NULL, finished_at = now(), updated_at = now()
        FROM chosen c
        WHERE c.rn = 1 AND c.policy = 'replace' AND t.project_id = c.project_id AND t.status = 'running'
        RETURNING t.id, t.project_id, c.id AS replaced_by
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

      -- what this round started: the running triggers of its projects this transaction wrote
      SELECT count(*)::int INTO v_round_claimed FROM triggers r
      WHERE r.project_id = ANY(v_projects) AND r.status = 'running'
        AND r.xmin = pg_current_xact_id_if_assigned()::xid;
      v_claimed := v_claimed + v_round_claimed;
      IF v_team_room IS NOT NULL THEN
        v_full_teams := v_full_teams || ARRAY(
          SELECT l.key FROM jsonb_each_text(v_team_room) l
          WHERE l.value::int <= (SELECT count(*) FROM triggers r
                                 WHERE r.team = l.key AND r.status = 'running' AND r.project_id = ANY(v_projects)
                                   AND r.xmin = pg_current_xact_id_if_assigned()::xid));
      END IF;
      EXIT WHEN v_round_claimed >= v_room;
    END IF;
    -- the due index holds nothing past this batch
    EXIT WHEN v_candidate_rows < v_batch;
    v_batch := v_batch * 2;
  END LOOP;
END $$;
