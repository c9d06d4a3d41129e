import { sql, type Kysely } from "kysely";

import type { Database } from "@vigil/db";

export interface SeedShape {
  projects: number;
  executions: number;
  /** Executions of the one big project (`p0000`) whose history the deep cursor walks. */
  bigProjectExecutions: number;
  /** History spread evenly over this many days, so /stats' 24-hour window holds 1/days of it. */
  days: number;
  pendingTriggersPerProject: number;
}

/**
 * Seeds with `INSERT ... SELECT generate_series`: projects with one schedule each, pending
 * triggers (most in the future, a few overdue), and executions of mixed statuses and
 * durations, the big project first so that its ids are the oldest.
 */
export async function seedDatabase(
  db: Kysely<Database>,
  s: SeedShape,
): Promise<void> {
  await sql`
    insert into projects (id, name, config)
    select 'p' || lpad(i::text, 4, '0'), 'Project ' || i, '{"data_source":{"type":"manual"}}'::jsonb
    from generate_series(0, ${s.projects - 1}) i`.execute(db);
  await sql`
    insert into schedules (project_id, cron_expression, timezone)
    select id, (row_number() over (order by id) % 60) || ' * * * *', 'Europe/Berlin' from projects`.execute(
    db,
  );
  await sql`
    insert into triggers (schedule_id, project_id, fire_at, available_at, source)
    select s.id, s.project_id, now() + make_interval(mins => g * 60 + (s.id % 60)::int) - interval '2 hours',
           now() + make_interval(mins => g * 60 + (s.id % 60)::int) - interval '2 hours', 'schedule'
    from schedules s, generate_series(1, ${s.pendingTriggersPerProject}) g`.execute(
    db,
  );
  const spanSeconds = s.days * 86_400;
  const rest = s.executions - s.bigProjectExecutions;
  // big project: ids 1..bigProjectExecutions; then the rest round-robin over all projects
  await sql`
    insert into executions (project_id, status, source, scheduled_for, started_at, finished_at, duration_ms, findings_count, created_at)
    select 'p0000', st.status, 'schedule', t, t, t + make_interval(secs => d / 1000.0), d, (i % 7), t
    from generate_series(1, ${s.bigProjectExecutions}) i,
         lateral (select now() - make_interval(secs => ${spanSeconds}::double precision * (1 - i::double precision / ${s.bigProjectExecutions})) as t,
                         (200 + (i::bigint * 7919) % 30000)::int as d) x,
         lateral (select case when i % 20 = 0 then 'failed' when i % 97 = 0 then 'timeout' else 'success' end as status) st`.execute(
    db,
  );
  await sql`
    insert into executions (project_id, status, source, scheduled_for, started_at, finished_at, duration_ms, findings_count, created_at)
    select 'p' || lpad((i % ${s.projects})::text, 4, '0'), st.status, 'schedule', t, t, t + make_interval(secs => d / 1000.0), d, (i % 5), t
    from generate_series(1, ${rest}) i,
         lateral (select now() - make_interval(secs => ${spanSeconds}::double precision * (1 - i::double precision / ${rest})) as t,
                         (200 + (i::bigint * 104729) % 60000)::int as d) x,
         lateral (select case when i % 25 = 0 then 'failed' when i % 101 = 0 then 'timeout' else 'success' end as status) st`.execute(
    db,
  );
  // index-only scans need the visibility map; a fresh bulk load has none until VACUUM
  await sql`vacuum analyze`.execute(db);
}
