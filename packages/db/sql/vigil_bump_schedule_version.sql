-- A change to how or whether a schedule fires bumps its version, however the row is written
-- (API, CLI, psql), so pending triggers made from the old definition can be told apart.
-- A writer that bumps `version` itself is not bumped twice.
CREATE OR REPLACE FUNCTION vigil_bump_schedule_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version = OLD.version THEN
    NEW.version := OLD.version + 1;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $$;

-- The WHEN clause keeps the trigger-creator's cursor updates (100,000 rows a pass) free of plpgsql.
DROP TRIGGER IF EXISTS schedules_bump_version ON schedules;
CREATE TRIGGER schedules_bump_version BEFORE UPDATE ON schedules
  FOR EACH ROW
  WHEN ((OLD.cron_expression, OLD.timezone, OLD.concurrency_policy, OLD.misfire_policy,
         OLD.starting_deadline_seconds, OLD.is_active)
        IS DISTINCT FROM
        (NEW.cron_expression, NEW.timezone, NEW.concurrency_policy, NEW.misfire_policy,
         NEW.starting_deadline_seconds, NEW.is_active))
  EXECUTE FUNCTION vigil_bump_schedule_version();
