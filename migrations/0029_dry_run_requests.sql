-- Dry runs handed to the executors (issue 16 part 1): the API inserts the validated request and
-- waits for its answer; an executor claims it (FOR UPDATE SKIP LOCKED, a lease it renews), runs
-- it in its own sandbox with its own secrets and writes the answer fenced by worker and lease.
-- The API deletes the row once answered, or when it gives up (which is how a dry run is
-- cancelled: the running executor's lease renewal finds no row and stops it); a row past
-- `expires_at` has nobody waiting for it and is deleted by the executors' dry-run loop, so rows
-- do not accumulate.
CREATE TABLE dry_run_requests (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id        text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  -- the body as DryRunRequestSchema parsed it; it never holds a secret
  request           jsonb NOT NULL,
  token_name        text,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done')),
  answer            jsonb,
  worker_id         text,
  lease_expires_at  timestamptz,
  -- when the API stops waiting: no executor starts the request after it
  expires_at        timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  CONSTRAINT dry_run_requests_claimed CHECK (status = 'pending' OR worker_id IS NOT NULL),
  CONSTRAINT dry_run_requests_answered CHECK ((status = 'done') = (answer IS NOT NULL AND finished_at IS NOT NULL))
);
CREATE INDEX dry_run_requests_open_idx ON dry_run_requests (id) WHERE status IN ('pending', 'running');
