-- Cron macros are case-sensitive (OCPS; packages/scheduling/README.md): `@Daily` is rejected where
-- it was accepted. Stored schedules written with such a macro are lowered here, so they keep
-- running instead of being marked invalid at their next materialization. Same fire times: the
-- macros meant the lower-case ones.
UPDATE schedules SET cron_expression = lower(cron_expression)
WHERE lower(cron_expression) IN ('@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly')
  AND cron_expression <> lower(cron_expression);
