-- Runs lost to a dead worker cost no attempt (issue 14).
--
-- `rescues` counts how often a trigger's run was taken back from a worker that died, froze past
-- its lease or lost its database connection; `attempt` counts only runs whose detector ran and
-- failed. A trigger rescued MAX_RESCUES times is quarantined (failed) instead of run again.
ALTER TABLE triggers ADD COLUMN rescues integer NOT NULL DEFAULT 0 CHECK (rescues >= 0);

-- A `forbid` skip names the running trigger that caused it, so when that run is later rescued the
-- skip can say so (packages/db/src/queries/triggers/rescue.ts).
ALTER TABLE triggers ADD COLUMN skipped_for_trigger_id bigint;

-- The execution of a rescued run is closed as `lost`, with the reason in error_message: it did not
-- fail, its worker went away.
ALTER TABLE executions DROP CONSTRAINT executions_status_check;
ALTER TABLE executions ADD CONSTRAINT executions_status_check
  CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled', 'timeout', 'lost'));

-- the skips a rescue amends: few rows carry a blocking trigger
CREATE INDEX triggers_skipped_for_idx ON triggers (skipped_for_trigger_id)
  WHERE skipped_for_trigger_id IS NOT NULL;

-- A worker that holds its session advisory lock (packages/db/src/worker-lock.ts) says so here; only
-- such a worker's runs are rescued as soon as PostgreSQL frees that lock. A worker that never took
-- one (an older executor during a rolling upgrade) is rescued by its lease alone.
ALTER TABLE workers ADD COLUMN presence_lock boolean NOT NULL DEFAULT false;
