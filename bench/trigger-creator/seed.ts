import type pg from "pg";

/**
 * A fleet's mix: mostly hourly/daily/business-hours checks, some every 5-15 minutes, a few
 * every minute, spread over zones with DST (both hemispheres, a 30-minute shift) and without.
 */
export const CRONS = [
  "0 * * * *",
  "15 */2 * * *",
  "30 2 * * *",
  "0 9 * * 1-5",
  "*/15 * * * *",
  "*/5 * * * *",
  "0 0 1 * *",
  "*/10 9-17 * * MON-FRI",
  "0 12 * * SUN",
  "* * * * *",
];
export const TIMEZONES = [
  "UTC",
  "America/New_York",
  "Europe/London",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/Los_Angeles",
  "Asia/Tokyo",
];

/** `schedules` schedules over 100 projects, in one INSERT ... SELECT each. */
export async function seedSchedules(
  c: pg.Client,
  schedules: number,
): Promise<void> {
  await c.query(`
    insert into projects (id, name, config)
    select 'bench-' || g, 'bench ' || g, '{"data_source":{"type":"manual"},"max_attempts":2}'::jsonb
    from generate_series(1, 100) g`);
  await c.query(
    `insert into schedules (project_id, cron_expression, timezone, misfire_policy)
     select 'bench-' || (1 + g % 100), ($2::text[])[1 + g % array_length($2::text[], 1)],
            ($3::text[])[1 + (g / 7) % array_length($3::text[], 1)], 'run_once'
     from generate_series(1, $1::int) g`,
    [schedules, CRONS, TIMEZONES],
  );
  await c.query("analyze projects; analyze schedules");
}
