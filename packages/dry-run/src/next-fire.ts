import { listProjectSchedules, type Db } from "@vigil/db";
import { nextFireTimes, validateSchedule } from "@vigil/scheduling";

/**
 * The next time any active schedule of the project fires after `now`, as the trigger-creator
 * will make it (the `next_runs` of GET /projects/{id}); undefined when none will.
 */
export async function nextFireAt(
  db: Db,
  projectId: string,
  now: Date,
): Promise<Date | undefined> {
  let next: Date | undefined;
  for (const s of await listProjectSchedules(db, projectId)) {
    const schedule = { cron: s.cron_expression, timezone: s.timezone };
    if (!s.is_active || !validateSchedule(schedule).ok) {
      continue;
    }
    const [first] = nextFireTimes({ ...schedule, after: now, count: 1 });
    if (first !== undefined && (next === undefined || first < next)) {
      next = first;
    }
  }
  return next;
}
