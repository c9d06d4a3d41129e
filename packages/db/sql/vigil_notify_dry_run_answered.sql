-- Tells the API process waiting for a dry run that its answer is written (payload: the request
-- id). A hint only: the waiter polls the row too, so a lost one delays the answer by a poll.
CREATE OR REPLACE FUNCTION vigil_notify_dry_run_answered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_dry_run_answers', NEW.id::text);
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dry_run_requests_answered_notify ON dry_run_requests;
CREATE TRIGGER dry_run_requests_answered_notify AFTER UPDATE OF status ON dry_run_requests
  FOR EACH ROW WHEN (NEW.status = 'done' AND OLD.status <> 'done')
  EXECUTE FUNCTION vigil_notify_dry_run_answered();
