-- Executor dispatch throughput (issue 4's benchmark): the completion batch, a plpgsql function
-- (packages/db/sql/vigil_finish_runs.sql), and a cheaper claim (packages/db/sql/vigil_claim_due_triggers.sql).

-- Every claim inserts an executions row and every record updates it (status changes, so never a
-- HOT update): each index of executions is written twice per run. executions_created_idx
-- (created_at) duplicates the leading key of executions_created_covering_idx (0008: created_at
-- INCLUDE project_id, status, duration_ms), which serves every created_at lookup it served
-- (stats, retention cutoffs) at least as well.
DROP INDEX IF EXISTS executions_created_idx;
