-- The completion batch: the record of many finished runs in ONE call, `vigil_finish_runs(worker, runs)`.
-- packages/db/src/queries/executions/finish-runs.ts documents the input; `finishRun` there is this
-- function with one run, so every record of a run goes through it.
--
-- Per run: the trigger transition and the execution row (with its sandbox attestation). Every run
-- is fenced on its own (worker + attempt + status running, and its execution row still running for
-- this worker): a run whose fence fails is left out, the others are written. One statement, so
-- without a transaction around it the whole batch is atomic by itself; inside one (the report
-- hook's, or the findings') it joins it. A plpgsql function for the same reason as the claim: one
-- round trip and a plan cached per connection instead of planning a large statement on every call.
--
-- Discrepancies are never written here: a run whose rules ran is evidence about them, weighed by
-- `updateDiscrepancies` (packages/db/src/queries/discrepancies/update.ts) in the record's
-- transaction. A run marked `evaluates` that comes here outside that transaction (the batch of
-- clean runs) is only written when its project tracks no discrepancy (open, acknowledged or
-- muted), so there is nothing to weigh; otherwise it comes back `guarded`, writes nothing, and the
-- executor records it again in a transaction that weighs them.
--
-- The report guard: a run whose report hook was skipped by the executor (its project's report
-- settings cannot produce an outbox row for it, judged from the project config it last saw)
-- carries that config's md5 as `guard_md5`. It is only written if the project's config is still
-- exactly that one; otherwise it comes back `guarded` too.

-- the result lost its `resolved` column: a changed return type needs the old function dropped
DROP FUNCTION IF EXISTS vigil_finish_runs(text, jsonb);
CREATE FUNCTION vigil_finish_runs(p_worker text, p_runs jsonb)
RETURNS TABLE (ord integer, outcome text, config_md5 text, project_config jsonb)
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
      findings_count integer, findings_truncated integer, rules_total integer, rules_failed integer, rule_results jsonb,
      row_count integer, detector_hash text, window_start timestamptz, window_end timestamptz,
      evaluates boolean, project_id text, guard_md5 text, sandbox jsonb)
  ),
  g AS (
    SELECT b.*, p.config AS project_config, md5(p.config::text) AS current_md5,
           ((b.guard_md5 IS NULL OR md5(p.config::text) IS NOT DISTINCT FROM b.guard_md5)
            AND NOT (b.evaluates AND EXISTS (
              SELECT 1 FROM discrepancies d
              WHERE d.project_id = b.project_id AND d.status IN ('open', 'acknowledged', 'muted')))) AS guard_ok
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
      findings_count = coalesce(g.findings_count, 0),
      findings_truncated = coalesce(g.findings_truncated, 0), rules_total = coalesce(g.rules_total, 0),
      rules_failed = coalesce(g.rules_failed, 0), rule_results = coalesce(g.rule_results, '[]'::jsonb),
      row_count = g.row_count, detector_hash = g.detector_hash, sandbox = g.sandbox,
      window_start = coalesce(g.window_start, x.window_start),
      window_end = coalesce(g.window_end, x.window_end)
    FROM g JOIN t USING (ord)
    WHERE x.id = g.execution_id
    RETURNING g.ord
  )
  SELECT g.ord,
         CASE WHEN NOT g.guard_ok THEN 'guarded' WHEN e.ord IS NOT NULL THEN 'recorded' ELSE 'lost' END,
         g.current_md5, g.project_config
  FROM g LEFT JOIN e USING (ord);
END $$;
