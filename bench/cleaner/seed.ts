import pg from "pg";

export interface SeedShape {
  projects: number;
  /** Executions per project the prune must delete (60 days old). */
  oldPerProject: number;
  /** Recent executions per project that retention keeps. */
  keptPerProject: number;
  findingsPerExecution: number;
  /** Pending triggers the claim load cycles through (its own project). */
  pendingTriggers: number;
}

/**
 * Seeds the history with set-based INSERT ... SELECT generate_series, one project per
 * statement, then VACUUM ANALYZE so both phases start from the same planner statistics.
 */
export async function seedHistory(
  url: string,
  shape: SeedShape,
  log: (line: string) => void,
): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (let p = 0; p < shape.projects; p++) {
      const id = `bench-${p}`;
      await c.query(
        `INSERT INTO projects (id, name, config) VALUES ($1, $1, '{"data_source":{"type":"manual"}}')`,
        [id],
      );
      for (const [count, daysAgo] of [
        [shape.oldPerProject, 60],
        [shape.keptPerProject, 0],
      ] as const) {
        await c.query(
          `WITH e AS (
             INSERT INTO executions (project_id, status, scheduled_for, started_at, finished_at, duration_ms, created_at, findings_count)
             SELECT $1, CASE WHEN n % 10 = 0 THEN 'failed' ELSE 'success' END,
                    ts, ts, ts + interval '2 seconds', 2000, ts, $3
             FROM generate_series(1, $2::int) AS n,
                  LATERAL (SELECT now() - make_interval(days => $4) + make_interval(secs => n) AS ts) AS t
             RETURNING id)
           INSERT INTO findings (execution_id, project_id, rule_id, severity, fingerprint, finding_key, message, data)
           SELECT e.id, $1, 'amount-mismatch', 'medium', md5(e.id::text || ':' || k), 'order-' || e.id, 'order total differs from paid amount',
                  jsonb_build_object('expected', 100, 'actual', 90 + k)
           FROM e, generate_series(1, $3::int) AS k`,
          [id, count, shape.findingsPerExecution, daysAgo],
        );
      }
      log(
        `seeded project ${id}: ${shape.oldPerProject} old + ${shape.keptPerProject} kept executions`,
      );
    }
    await c.query(
      `INSERT INTO projects (id, name, config) VALUES ('bench-claims', 'claims', '{"data_source":{"type":"manual"}}')`,
    );
    await c.query(
      `INSERT INTO triggers (project_id, fire_at, available_at, source)
       SELECT 'bench-claims', now() - interval '1 minute', now() - interval '1 minute', 'manual' FROM generate_series(1, $1::int)`,
      [shape.pendingTriggers],
    );
    await c.query("VACUUM ANALYZE");
  } finally {
    await c.end();
  }
}
