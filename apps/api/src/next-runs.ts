import type { ScheduleRow } from "@vigil/db";
import { nextFireTimes, validateSchedule } from "@vigil/scheduling";

/** How many upcoming fire times the project page shows per schedule. */
export const NEXT_RUNS_SHOWN = 5;

/**
 * A schedule with its next fire times after `now` (as the trigger-creator will make them),
 * or the reason it has none: suspended, or not valid (a row written past the API).
 */
export function withNextRuns(
  s: ScheduleRow,
  now: Date,
): ScheduleRow & { next_runs: Date[]; problem: string | null } {
  const check = validateSchedule({
    cron: s.cron_expression,
    timezone: s.timezone,
  });
  if (!check.ok) {
    return { ...s, next_runs: [], problem: check.message };
  }
  if (!s.is_active) {
    return { ...s, next_runs: [], problem: s.invalid_reason };
  }
  return {
    ...s,
    next_runs: nextFireTimes({
      cron: s.cron_expression,
      timezone: s.timezone,
      after: now,
      count: NEXT_RUNS_SHOWN,
    }),
    problem: s.invalid_reason,
  };
}
