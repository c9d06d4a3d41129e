-- The completion batch: the record of many finished runs in ONE call, `vigil_finish_runs(worker, runs)`.
-- packages/db/src/queries/executions/finish-runs.ts documents the input; `finishRun` there is this
-- function with one run, so every record of a run without findings goes through it.
--
-- Per run: the trigger transition, the execution row (with its sandbox attestation) and, for a
-- clean success, resolving the project's open discrepancies. Every run is fenced on its own
-- (worker + attempt + status running, and its execution row still running for this worker): a run
-- whose fence fails is left out, the others are written. One statement, so without a transaction
-- around it the whole batch is atomic by itself; inside one (the report hook's, or the findings')
-- it joins it. A plpgsql function for the same reason as the claim: one round trip and a plan
-- cached per connection instead of planning a large statement on every call.
--
-- The report guard: a run whose report hook was skipped by the executor (its project's report
-- settings cannot produce an outbox row for it, judged from the project config it last saw)
-- carries that config's md5 as `guard_md5`. It is only written if the project's config is still
-- exactly that one AND, for a success that resolves discrepancies, nothing would be resolved
-- (a resolution is a change an `on_change` report must carry). Otherwise it comes back
-- `guarded`, writes nothing, and the executor records it again inside a transaction with the hook.

CREATE OR REPLACE FUNCTION vigil_finish_runs(p_worker text, p_runs jsonb)
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
END $$;
