-- Wake-up hint for executors (the README's lock protocol, step 5): new triggers exist.
-- Statement-level, so a batch insert of 1,000 triggers sends one notification, not 1,000.
-- Listeners treat it as a hint only: a lost notification delays work, never loses it.
CREATE OR REPLACE FUNCTION vigil_notify_triggers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_triggers', '');
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS triggers_inserted_notify ON triggers;
CREATE TRIGGER triggers_inserted_notify AFTER INSERT ON triggers
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_triggers_inserted();
