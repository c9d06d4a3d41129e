-- The watchdog (issue 15, "silence is not health"): an episode is a stretch of time during which
-- an active schedule produced no finished execution within its expected window plus a grace.
-- The leading trigger-creator opens, updates and closes them (apps/trigger-creator/src/watchdog-pass.ts).
CREATE TABLE watchdog_episodes (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id       text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  -- null once the schedule is deleted (the episode is closed in the same pass)
  schedule_id      bigint REFERENCES schedules (id) ON DELETE SET NULL,
  opened_at        timestamptz NOT NULL DEFAULT now(),
  closed_at        timestamptz,
  close_reason     text CHECK (close_reason IN ('recovered', 'schedule_paused', 'schedule_deleted', 'schedule_changed')),
  -- the fire time whose window plus grace passed without a finished run
  expected_at      timestamptz NOT NULL,
  -- when the schedule's newest finished run finished, before the episode opened
  last_finished_at timestamptz,
  reason           text NOT NULL CHECK (reason IN ('missed', 'stuck', 'skipped', 'cancelled', 'no_trigger')),
  detail           text NOT NULL CHECK (char_length(detail) <= 2000),
  alerted_at       timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT watchdog_episodes_closed_consistent CHECK ((closed_at IS NULL) = (close_reason IS NULL))
);

-- at most one open episode per schedule; also the open set /status and the gauge read
CREATE UNIQUE INDEX watchdog_episodes_open_schedule_idx ON watchdog_episodes (schedule_id)
  WHERE closed_at IS NULL;
CREATE INDEX watchdog_episodes_project_idx ON watchdog_episodes (project_id, id DESC);
