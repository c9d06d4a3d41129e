export { CRON_MACROS } from "./cron-syntax.js";
export { SchedulingError, type SchedulingErrorCode } from "./errors.js";
export {
  isPastStartingDeadline,
  planMissedRuns,
  type MisfirePolicy,
  type PlanMissedRunsOptions,
  type PlannedRun,
  type StartingDeadlineOptions,
} from "./misfires.js";
export {
  fireTimesBetween,
  nextFireTimes,
  type FireTimesBetweenOptions,
  type NextFireTimesOptions,
} from "./next-fire-times.js";
export {
  validateCron,
  validateSchedule,
  type CronValidation,
  type ScheduleValidation,
} from "./validate-schedule.js";
export {
  validateTimezone,
  type TimezoneValidation,
} from "./validate-timezone.js";
