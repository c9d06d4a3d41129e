-- Triage states per discrepancy and resolution only from evidence (issue 15).
--
-- status: open -> acknowledged (assignee, note) | muted (until muted_until, with a reason) |
-- resolved (by a run that read the discrepancy's row and no longer flagged it, or by hand) |
-- expired (its row was not read for the project's `discrepancies.expire_after`). A resolved or
-- expired discrepancy that is found again is open again; from resolved that is a regression
-- (regressions + 1, reopened_at). Existing rows keep their status; their history starts here.
ALTER TABLE discrepancies DROP CONSTRAINT discrepancies_status_check;
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_status_check
  CHECK (status IN ('open', 'acknowledged', 'muted', 'resolved', 'expired'));

ALTER TABLE discrepancies
  -- the input row this discrepancy came from (data_source.key); null: the project names no row key
  ADD COLUMN row_key              text,
  ADD COLUMN assignee             text CHECK (char_length(assignee) <= 200),
  ADD COLUMN note                 text CHECK (char_length(note) <= 4000),
  ADD COLUMN muted_until          timestamptz,
  -- why it is in its status (a mute's or a manual resolve's reason, or what the system saw)
  ADD COLUMN status_reason        text CHECK (char_length(status_reason) <= 4000),
  ADD COLUMN status_changed_at    timestamptz,
  -- a token's name, or 'system'
  ADD COLUMN status_changed_by    text NOT NULL DEFAULT 'system',
  ADD COLUMN regressions          integer NOT NULL DEFAULT 0 CHECK (regressions >= 0),
  ADD COLUMN reopened_at          timestamptz,
  -- the last run whose input held this discrepancy's row (or that flagged it)
  ADD COLUMN last_evaluated_at    timestamptz,
  ADD COLUMN last_evaluated_execution_id bigint,
  -- set by the first run since then that did not read its row; null while runs keep reading it
  ADD COLUMN not_evaluated_since  timestamptz,
  ADD COLUMN expired_at           timestamptz;

UPDATE discrepancies
SET status_changed_at = coalesce(resolved_at, first_seen_at),
    last_evaluated_at = coalesce(resolved_at, last_seen_at),
    last_evaluated_execution_id = coalesce(resolved_execution_id, last_execution_id);
ALTER TABLE discrepancies ALTER COLUMN status_changed_at SET NOT NULL,
                          ALTER COLUMN status_changed_at SET DEFAULT now();

ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_muted_consistent
  CHECK ((status = 'muted') = (muted_until IS NOT NULL));
ALTER TABLE discrepancies ADD CONSTRAINT discrepancies_expired_consistent
  CHECK ((status = 'expired') = (expired_at IS NOT NULL));

-- what needs attention, per project: everything not resolved or expired
CREATE INDEX discrepancies_project_active_idx ON discrepancies (project_id, fingerprint)
  WHERE status IN ('open', 'acknowledged', 'muted');

-- the cleaner keeps the evidence of every discrepancy still being tracked, not only open ones
DROP INDEX discrepancies_open_first_execution_idx;
DROP INDEX discrepancies_open_last_execution_idx;
CREATE INDEX discrepancies_active_first_execution_idx ON discrepancies (first_execution_id)
  WHERE status IN ('open', 'acknowledged', 'muted');
CREATE INDEX discrepancies_active_last_execution_idx ON discrepancies (last_execution_id)
  WHERE status IN ('open', 'acknowledged', 'muted');

-- Every change of a discrepancy's state, oldest first: who (a token's name or 'system'), when,
-- from, to, why, in which execution. `change` names it: new, reopened, escalated, deescalated,
-- unmuted, resolved, expired, not_evaluated, acknowledged, muted, assigned, opened.
CREATE TABLE discrepancy_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    text NOT NULL,
  fingerprint   text NOT NULL,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  change        text NOT NULL,
  from_status   text,
  to_status     text NOT NULL,
  reason        text,
  execution_id  bigint,
  details       jsonb,
  FOREIGN KEY (project_id, fingerprint) REFERENCES discrepancies (project_id, fingerprint) ON DELETE CASCADE
);
CREATE INDEX discrepancy_events_target_idx ON discrepancy_events (project_id, fingerprint, id);
