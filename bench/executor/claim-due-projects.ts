import { claimDueTriggers, type Db } from "@vigil/db";
import { sql } from "kysely";

import { prepare } from "./vigil.js";

const CLAIMS = 300;
export const DUE_PROJECT_COUNTS = [1, 50, 300] as const;

/**
 * What a claim costs while N projects have due work at once (a burst): each project holds enough
 * due `allow` runs that it stays due for every claim. Claims of 1 and of 10 runs (an executor's
 * free slots), round trips from this process, in a fresh database per N.
 */
export async function measureClaimWithDueProjects(
  url: string,
  projects: number,
): Promise<{ limit1Ms: number; limit10Ms: number }> {
  const { db, close } = await prepare(url);
  try {
    // enough runs per project that the oldest-first order never empties one
    const perProject = Math.ceil((CLAIMS * 11) / projects) + 2;
    await sql`
      INSERT INTO projects (id, name, config)
      SELECT 'due-' || i, 'due-' || i, '{"data_source": {"type": "manual"}, "max_concurrency": 1000}'::jsonb
      FROM generate_series(1, ${projects}::int) i`.execute(db);
    await sql`
      INSERT INTO triggers (project_id, fire_at, available_at, source, concurrency_policy)
      SELECT 'due-' || i, now() - j * interval '1 second', now() - j * interval '1 second', 'manual', 'allow'
      FROM generate_series(1, ${projects}::int) i, generate_series(1, ${perProject}::int) j`.execute(
      db,
    );
    await sql`VACUUM ANALYZE triggers`.execute(db);
    const limit1Ms = await timeClaims(db, 1);
    const limit10Ms = await timeClaims(db, 10);
    return { limit1Ms, limit10Ms };
  } finally {
    await close();
  }
}

async function timeClaims(db: Db, limit: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < CLAIMS; i++) {
    const started = performance.now();
    const r = await claimDueTriggers(db, {
      workerId: "bench",
      leaseSeconds: 60,
      limit,
    });
    total += performance.now() - started;
    if (r.claimed.length !== limit) {
      throw new Error(
        `claim-due-projects: claimed ${r.claimed.length} of ${limit}`,
      );
    }
    // untimed: finish what was claimed, so no project reaches its limit
    await sql`UPDATE triggers SET status = 'succeeded', lease_expires_at = NULL, finished_at = now() WHERE status = 'running'`.execute(
      db,
    );
  }
  return total / CLAIMS;
}
