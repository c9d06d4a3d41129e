-- Wake-up hint for the report delivery loop: new outbox rows exist. Statement-level; a hint only.
CREATE OR REPLACE FUNCTION vigil_notify_outbox_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vigil_outbox', '');
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS report_outbox_inserted_notify ON report_outbox;
CREATE TRIGGER report_outbox_inserted_notify AFTER INSERT ON report_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_notify_outbox_inserted();
