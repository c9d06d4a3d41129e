-- Wake-up hint for the executors' dry-run loop: a dry run waits for one of them. Statement-level
-- and a hint only, like vigil_notify_triggers_inserted: a lost one delays the run by a poll.
CREATE OR REPLACE FUNCTION vigil_notify_dry_run_requested() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_dry_runs', '');
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dry_run_requests_inserted_notify ON dry_run_requests;
CREATE TRIGGER dry_run_requests_inserted_notify AFTER INSERT ON dry_run_requests
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_dry_run_requested();
