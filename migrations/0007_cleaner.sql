-- The cleaner (issue 7). Indexes only; each names the prune query it serves.

-- executions/prune: an execution that is the first or last evidence of an open discrepancy
-- is kept. The prune checks this per candidate row (NOT EXISTS), so it must be an index
-- probe, not a scan of the project's discrepancies.
CREATE INDEX discrepancies_open_first_execution_idx ON discrepancies (first_execution_id)
  WHERE status = 'open';
CREATE INDEX discrepancies_open_last_execution_idx ON discrepancies (last_execution_id)
  WHERE status = 'open';

