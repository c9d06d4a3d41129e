/** The fields of a trigger a run request (run now, replay) answers with, 202. */
export function queuedTriggerJson(t: {
  id: unknown;
  project_id: string;
  source: string;
  status: string;
  fire_at: Date;
  window_start: Date | null;
  window_end: Date | null;
  requested_by: string | null;
  created_at: Date;
}) {
  return {
    id: t.id,
    project_id: t.project_id,
    source: t.source,
    status: t.status,
    fire_at: t.fire_at,
    window_start: t.window_start,
    window_end: t.window_end,
    requested_by: t.requested_by,
    created_at: t.created_at,
  };
}
