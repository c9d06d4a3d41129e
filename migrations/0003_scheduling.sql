-- Scheduling (issue 3): the trigger-creator's bookkeeping. Frozen in time.

-- The schedule version the cursor (materialized_until) and the pending triggers were made
-- from. NULL: never materialized. It differs from `version` for a new, changed, suspended or
-- resumed schedule until the trigger-creator has caught up with it.
ALTER TABLE schedules ADD COLUMN materialized_version integer;
-- The first fire time after materialized_until (the newest one made): the trigger-creator
-- comes back to a schedule once this enters its horizon, so a pass reads only schedules that
-- have something to make. NULL: not planned yet, or the expression has no fire time left.
ALTER TABLE schedules ADD COLUMN next_unmaterialized_at timestamptz;

-- trigger-creator: schedules whose definition it has not caught up with yet (usually none),
-- found without scanning every schedule, e.g. the suspended ones whose triggers it cancels
CREATE INDEX schedules_unmaterialized_idx ON schedules (id)
  WHERE materialized_version IS DISTINCT FROM version;

-- trigger-creator: pending scheduled triggers whose schedule was deleted (ON DELETE SET NULL
-- left schedule_id null); normally empty, so the sweep costs one index probe
CREATE INDEX triggers_orphaned_idx ON triggers (id)
  WHERE status = 'pending' AND schedule_id IS NULL AND source IN ('schedule', 'catchup');

-- Schedule versions bumped by triggers on schedules and projects: packages/db/sql/vigil_bump_*.sql.
