-- Scheduling (issue 3): the trigger-creator's bookkeeping. Frozen in time.

-- The schedule version the cursor (materialized_until) and the pending triggers were made
-- from. NULL: never materialized. It differs from `version` for a new, changed, suspended or
-- resumed schedule until the trigger-creator has caught up with it.
ALTER TABLE schedules ADD COLUMN materialized_version integer;
-- The first fire time after materialized_until (the newest one made): the trigger-creator
-- comes back to a schedule once this enters its horizon, so a pass reads only schedules that
-- have something to make. NULL: not planned yet, or the expression has no fire time left.
ALTER TABLE schedules ADD COLUMN next_unmaterialized_at timestamptz;

-- trigger-creator: schedules whose definition it has not caught up with yet (usually none),
-- found without scanning every schedule, e.g. the suspended ones whose triggers it cancels
CREATE INDEX schedules_unmaterialized_idx ON schedules (id)
  WHERE materialized_version IS DISTINCT FROM version;

-- trigger-creator: pending scheduled triggers whose schedule was deleted (ON DELETE SET NULL
-- left schedule_id null); normally empty, so the sweep costs one index probe
CREATE INDEX triggers_orphaned_idx ON triggers (id)
  WHERE status = 'pending' AND schedule_id IS NULL AND source IN ('schedule', 'catchup');

-- A change to how or whether a schedule fires bumps its version, however the row is written
-- (API, CLI, psql), so pending triggers made from the old definition can be told apart.
-- A writer that bumps `version` itself is not bumped twice.
CREATE FUNCTION vigil_bump_schedule_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version = OLD.version THEN
    NEW.version := OLD.version + 1;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $$;
-- The WHEN clause keeps the trigger-creator's cursor updates (100,000 rows a pass) free of plpgsql.
CREATE TRIGGER schedules_bump_version BEFORE UPDATE ON schedules
  FOR EACH ROW
  WHEN ((OLD.cron_expression, OLD.timezone, OLD.concurrency_policy, OLD.misfire_policy,
         OLD.starting_deadline_seconds, OLD.is_active)
        IS DISTINCT FROM
        (NEW.cron_expression, NEW.timezone, NEW.concurrency_policy, NEW.misfire_policy,
         NEW.starting_deadline_seconds, NEW.is_active))
  EXECUTE FUNCTION vigil_bump_schedule_version();

-- Suspending or resuming a project changes whether its schedules fire: bump them all, so the
-- trigger-creator cancels (or re-makes) their triggers exactly as for a suspended schedule.
CREATE FUNCTION vigil_bump_project_schedules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE schedules SET version = version + 1 WHERE project_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER projects_bump_schedule_versions AFTER UPDATE OF is_active ON projects
  FOR EACH ROW
  WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
  EXECUTE FUNCTION vigil_bump_project_schedules();
