-- Wake-up hint for the trigger-creator: a schedule or a project changed how something fires.
-- Statement-level; the payload names the table. Listeners treat it as a hint only.
CREATE OR REPLACE FUNCTION vigil_notify_schedules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_schedules', TG_TABLE_NAME);
  RETURN NULL;
END $$;

-- Only definition columns: the trigger-creator's own cursor updates must not wake it.
DROP TRIGGER IF EXISTS schedules_changed_notify ON schedules;
CREATE TRIGGER schedules_changed_notify
  AFTER INSERT OR DELETE OR UPDATE OF cron_expression, timezone, concurrency_policy, misfire_policy,
    starting_deadline_seconds, is_active, version ON schedules
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_schedules_changed();

DROP TRIGGER IF EXISTS projects_changed_notify ON projects;
CREATE TRIGGER projects_changed_notify
  AFTER INSERT OR DELETE OR UPDATE OF is_active, config ON projects
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_schedules_changed();
