-- Notification channels (issue 15 part 5): one outbox row per channel a report or alert goes to,
-- each with its own retries and dead letter.
--
-- channel_name: the project's channel (`channels[].name`), or 'default' for the channels that
-- report.url_env / REPORT_URL and alert.slack_webhook_env imply (every row before this).
-- channel_kind: how it is sent. channel_options: what the sender needs besides target_env and
-- that is no secret (an email's recipients, sender and subject prefix).
ALTER TABLE report_outbox
  ADD COLUMN channel_name    text NOT NULL DEFAULT 'default' CHECK (char_length(channel_name) <= 63),
  ADD COLUMN channel_kind    text NOT NULL DEFAULT 'webhook'
                             CHECK (channel_kind IN ('webhook', 'slack', 'email')),
  ADD COLUMN channel_options jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(channel_options) = 'object');

UPDATE report_outbox SET channel_kind = 'slack' WHERE kind = 'alert';

-- One report makes one row per channel; the Idempotency-Key a receiver sees stays the report's.
ALTER TABLE report_outbox DROP CONSTRAINT report_outbox_idempotency_key_key;
ALTER TABLE report_outbox ADD CONSTRAINT report_outbox_idempotency_key_channel_key
  UNIQUE (idempotency_key, channel_name);
