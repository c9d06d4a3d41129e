-- Limits beyond one project and the claim's reads of project settings (issue 14).

-- The settings the claim applies, derived by PostgreSQL from `config` on every write, so the claim
-- reads columns instead of parsing JSON on each call. Writers validate `config` with the contract's
-- schema (packages/contracts/src/project-config.ts: max_concurrency 1..1000, max_attempts 1..100,
-- both default 1; team a project-id-like name); these expressions only derive the value, clamped
-- into the same bounds, so a row written past that schema (psql) still runs inside the contract.
-- apps/trigger-creator/test/project-settings.test.ts pins the two to each other.
ALTER TABLE projects
  ADD COLUMN max_concurrency integer NOT NULL GENERATED ALWAYS AS (
    CASE WHEN jsonb_typeof(config -> 'max_concurrency') = 'number'
         THEN least(greatest(round((config ->> 'max_concurrency')::numeric), 1), 1000)::integer
         ELSE 1 END) STORED,
  ADD COLUMN max_attempts integer NOT NULL GENERATED ALWAYS AS (
    CASE WHEN jsonb_typeof(config -> 'max_attempts') = 'number'
         THEN least(greatest(round((config ->> 'max_attempts')::numeric), 1), 100)::integer
         ELSE 1 END) STORED,
  ADD COLUMN team text GENERATED ALWAYS AS (
    CASE WHEN jsonb_typeof(config -> 'team') = 'string' THEN config ->> 'team' END) STORED;

-- The team a running trigger counts against, copied from its project by the claim. Whatever
-- moves a trigger out of `running` (record, rescue, replace) takes it out of the count below by
-- its status alone.
ALTER TABLE triggers ADD COLUMN team text;

-- claim: running triggers of one team (TEAM_MAX_RUNNING), counted without a join to projects
CREATE INDEX triggers_running_team_idx ON triggers (team) WHERE status = 'running' AND team IS NOT NULL;
