-- Findings past a project's max_findings_per_rule are counted, not kept (issue 18 part 1): the
-- total a run dropped, over all its rules (each rule's own count is in rule_results).
-- vigil_finish_runs (packages/db/sql/vigil_finish_runs.sql) writes it with the outcome.
ALTER TABLE executions
  ADD COLUMN findings_truncated integer NOT NULL DEFAULT 0 CHECK (findings_truncated >= 0);
