-- Reports (issue 6). Frozen in time.

-- Failure-alert throttling: "did this project alert since now() - min_interval?" runs inside
-- every failed execution's record transaction; without this index it would scan the whole
-- outbox (delivered rows are kept until the cleaner prunes them).
CREATE INDEX report_outbox_project_alert_idx ON report_outbox (project_id, created_at DESC) WHERE kind = 'alert';
