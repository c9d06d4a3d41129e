-- The claim takes its candidates (issue 18 part 2) as the first due pending triggers in its fair
-- order, the longest due first and ties rotated by a hash of project and time: this index returns
-- them in that order, so a claim reads and locks its batch only, not every project with due work.
-- The tie is the same expression as in packages/db/sql/vigil_claim_due_triggers.sql, written with
-- immutable functions only (an interval's epoch, not a timestamptz's text, which follows TimeZone).
CREATE INDEX triggers_due_fair_idx ON triggers (
  available_at,
  hashtext(project_id || ' ' || extract(epoch FROM available_at - timestamptz '1970-01-01 00:00:00+00')::text)
) WHERE status = 'pending';
