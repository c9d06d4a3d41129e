-- Inputs kept for replay (issue 16 part 2): each execution's loaded rows, gzip-compressed by the
-- executor (rows.ndjson of its run folder, as the detector read it), with the window, the rules'
-- parameters and the detector hash it ran with, so any replica can replay it or dry-run on it.
--
-- rows_gz is NULL when the rows are not (or no longer) kept; not_kept says why: too_large (over
-- EXECUTION_INPUT_MAX_BYTES compressed, never stored), pruned_age (older than
-- EXECUTION_INPUT_RETENTION_DAYS) or pruned_total (the oldest beyond EXECUTION_INPUT_TOTAL_MB).
-- The row itself stays with its execution (ON DELETE CASCADE), so the reason stays visible.
CREATE TABLE execution_inputs (
  execution_id  bigint PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
  project_id    text NOT NULL,
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  detector_hash text,
  parameters    jsonb NOT NULL DEFAULT '{}'::jsonb,
  row_count     integer NOT NULL CHECK (row_count >= 0),
  -- compressed size (of the gzip, also when it was too large to keep) and size of rows.ndjson
  bytes         bigint NOT NULL CHECK (bytes >= 0),
  raw_bytes     bigint NOT NULL CHECK (raw_bytes >= 0),
  rows_gz       bytea,
  not_kept      text CHECK (not_kept IN ('too_large', 'pruned_age', 'pruned_total')),
  pruned_at     timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT execution_inputs_kept CHECK ((rows_gz IS NULL) = (not_kept IS NOT NULL))
);
-- the cleaner's retention and total cap walk the kept inputs oldest first
CREATE INDEX execution_inputs_kept_idx ON execution_inputs (created_at, execution_id)
  WHERE rows_gz IS NOT NULL;

ALTER TABLE triggers DROP CONSTRAINT triggers_source_check;
ALTER TABLE triggers ADD CONSTRAINT triggers_source_check
  CHECK (source IN ('schedule', 'manual', 'retry', 'catchup', 'backfill', 'replay'));
ALTER TABLE executions DROP CONSTRAINT executions_source_check;
ALTER TABLE executions ADD CONSTRAINT executions_source_check
  CHECK (source IN ('schedule', 'manual', 'retry', 'catchup', 'backfill', 'replay'));

-- The execution a `replay` trigger re-runs. A plain column, not a foreign key (like
-- discrepancies' evidence ids), so pruning executions never touches trigger rows.
ALTER TABLE triggers ADD COLUMN replay_of bigint;
ALTER TABLE triggers ADD CONSTRAINT triggers_replay_of
  CHECK ((source = 'replay') = (replay_of IS NOT NULL));
