-- Reports and alerts on transitions (issue 15, part 3).

-- Failure alerts after N consecutive failed runs, and one recovery alert: one row per project that
-- has an `alert` config, written by the record transaction of each final run (row-locked, so
-- concurrent runs of one project count one after the other).
CREATE TABLE project_alert_states (
  project_id            text PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  -- final runs in a row whose status is in alert.on; a success sets it back to 0
  consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  -- set when this failure episode alerted; cleared by the recovery
  alerted_at            timestamptz,
  alert_execution_id    bigint,
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- report.digest: how far each project's digests have got. The executions with an id above
-- last_execution_id are not in a digest yet; a builder locks the row, so one digest is built per
-- project at a time whichever executor builds it.
CREATE TABLE report_digests (
  project_id         text PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  last_execution_id  bigint NOT NULL DEFAULT 0,
  -- null: no digest sent yet, the first one is due at once
  last_sent_at       timestamptz,
  sent               integer NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- A digest reads the run transitions of a range of executions.
CREATE INDEX discrepancy_events_execution_idx ON discrepancy_events (project_id, execution_id)
  WHERE actor = 'system';

-- A digest starts after the project's last per-execution report (report_digests' first row, and
-- again when a digest is turned back on).
CREATE INDEX report_outbox_project_report_idx ON report_outbox (project_id, execution_id DESC)
  WHERE kind = 'report';
