-- A run whose rules failed is not a success (issue 15): `partial` when some rules failed, and
-- `failed` (an existing status) when all of them did. The execution's error_message names them.
ALTER TABLE executions DROP CONSTRAINT executions_status_check;
ALTER TABLE executions ADD CONSTRAINT executions_status_check
  CHECK (status IN ('pending', 'running', 'success', 'partial', 'failed', 'cancelled', 'timeout', 'lost'));
