-- API (issue 8): indexes for the read routes. Frozen in time.

-- /stats and /metrics: executions of a time window, totals by status and duration
-- percentiles; the INCLUDE columns make it an index-only scan (bench/api has the figures).
CREATE INDEX executions_created_covering_idx ON executions (created_at) INCLUDE (project_id, status, duration_ms);
-- /stats?project_id=: one project's executions of a time window, index-only as above.
CREATE INDEX executions_project_created_idx ON executions (project_id, created_at) INCLUDE (status, duration_ms);
