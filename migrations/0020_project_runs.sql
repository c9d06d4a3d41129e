-- GET /projects/{id}/runs (issue 15): a project's triggers, newest first, with their final state and
-- reason, so skipped and missed runs are visible without SQL. Keyset pages on id.
CREATE INDEX triggers_project_id_idx ON triggers (project_id, id DESC);
