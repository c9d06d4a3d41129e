-- Suspending or resuming a project changes whether its schedules fire: bump them all, so the
-- trigger-creator cancels (or re-makes) their triggers exactly as for a suspended schedule.
CREATE OR REPLACE FUNCTION vigil_bump_project_schedules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE schedules SET version = version + 1 WHERE project_id = NEW.id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS projects_bump_schedule_versions ON projects;
CREATE TRIGGER projects_bump_schedule_versions AFTER UPDATE OF is_active ON projects
  FOR EACH ROW
  WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
  EXECUTE FUNCTION vigil_bump_project_schedules();
