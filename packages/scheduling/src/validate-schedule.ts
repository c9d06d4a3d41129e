import { parseCron } from "./parse-cron.js";
import { validateTimezone } from "./validate-timezone.js";

export type CronValidation =
  { ok: true; fields: 5 | 6 } | { ok: false; message: string };

export type ScheduleValidation =
  | { ok: true; fields: 5 | 6 }
  | { ok: false; field: "cron" | "timezone"; message: string };

/**
 * Checks a cron expression: syntax, ranges, and that it can fire at all.
 * Never throws; `message` names the field, the value and what is allowed.
 */
export function validateCron(expr: string): CronValidation {
  const parsed = parseCron(expr);
  return parsed.ok
    ? { ok: true, fields: parsed.fields }
    : { ok: false, message: parsed.message };
}

/** Both checks; the cron expression is reported first when both are wrong. */
export function validateSchedule({
  cron,
  timezone,
}: {
  cron: string;
  timezone: string;
}): ScheduleValidation {
  const cronResult = validateCron(cron);
  if (!cronResult.ok) {
    return { ok: false, field: "cron", message: cronResult.message };
  }
  const tzResult = validateTimezone(timezone);
  if (!tzResult.ok) {
    return { ok: false, field: "timezone", message: tzResult.message };
  }
  return cronResult;
}
