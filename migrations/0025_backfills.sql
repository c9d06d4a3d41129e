-- Backfills (issue 16 part 3): one trigger per window of a range, source 'backfill', created a
-- few at a time by the trigger-creator leader so at most `concurrency` of them are unfinished.
--
-- Window n (0-based) starts at range_start + n * step_ms and ends step_ms later, the last one at
-- range_end. next_window is the cursor: windows below it have been looked at (a trigger made,
-- or one for the same window already there, counted in `existing`).
CREATE TABLE backfills (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  range_start   timestamptz NOT NULL,
  range_end     timestamptz NOT NULL,
  -- the ISO 8601 duration as given, and its length
  step          text NOT NULL CHECK (char_length(step) <= 64),
  step_ms       bigint NOT NULL CHECK (step_ms > 0),
  concurrency   integer NOT NULL DEFAULT 1 CHECK (concurrency BETWEEN 1 AND 100),
  status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled')),
  total         integer NOT NULL CHECK (total >= 1),
  next_window   integer NOT NULL DEFAULT 0,
  existing      integer NOT NULL DEFAULT 0 CHECK (existing >= 0),
  requested_by  text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  CONSTRAINT backfills_range_order CHECK (range_start < range_end),
  CONSTRAINT backfills_cursor_range CHECK (next_window BETWEEN 0 AND total),
  CONSTRAINT backfills_finished CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX backfills_running_idx ON backfills (id) WHERE status = 'running';
CREATE INDEX backfills_project_idx ON backfills (project_id, id DESC);

ALTER TABLE triggers DROP CONSTRAINT triggers_source_check;
ALTER TABLE triggers ADD CONSTRAINT triggers_source_check
  CHECK (source IN ('schedule', 'manual', 'retry', 'catchup', 'backfill'));
ALTER TABLE executions DROP CONSTRAINT executions_source_check;
ALTER TABLE executions ADD CONSTRAINT executions_source_check
  CHECK (source IN ('schedule', 'manual', 'retry', 'catchup', 'backfill'));

ALTER TABLE triggers
  ADD COLUMN backfill_id bigint REFERENCES backfills (id) ON DELETE SET NULL;
CREATE INDEX triggers_backfill_idx ON triggers (backfill_id) WHERE backfill_id IS NOT NULL;
-- A window of a project is backfilled once: a repeat of the same range adds nothing. A cancelled
-- one leaves the index, so a later backfill can run that window after all.
CREATE UNIQUE INDEX triggers_backfill_window_key ON triggers (project_id, window_start, window_end)
  WHERE source = 'backfill' AND status <> 'cancelled';
