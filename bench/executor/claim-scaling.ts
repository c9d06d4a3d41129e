import { claimDueTriggers, type Db } from "@vigil/db";
import { sql } from "kysely";

import { insertDue, prepare } from "./vigil.js";

const CLAIMS = 400;
const IDLE_PROJECTS = 2000;
/** Runs each idle project has materialized ahead: the trigger-creator's 300 s horizon of a every-minute schedule. */
const RUNS_AHEAD = 5;

export interface ClaimCost {
  /** ms per claim that finds nothing due (the idle poll) */
  idleMs: number;
  /** ms per claim that takes one due trigger */
  dueMs: number;
}

/**
 * What a claim costs as the number of projects grows: first with the one bench project, then
 * after adding IDLE_PROJECTS projects whose next runs all lie ahead. Round trips from this
 * process, in the same database, so the ratio between the two is the figure to read.
 */
export async function measureClaimScaling(
  url: string,
): Promise<{ oneProject: ClaimCost; manyProjects: ClaimCost }> {
  const { db, close, projectId } = await prepare(url);
  try {
    const oneProject = await measureClaimCost(db, projectId);
    await sql`
      INSERT INTO projects (id, name, config)
      SELECT 'idle-' || i, 'idle-' || i, '{"data_source": {"type": "manual"}}'::jsonb FROM generate_series(1, ${IDLE_PROJECTS}::int) i`.execute(
      db,
    );
    await sql`
      INSERT INTO triggers (project_id, fire_at, available_at, source, concurrency_policy)
      SELECT 'idle-' || i, now() + j * interval '1 minute', now() + j * interval '1 minute', 'schedule', 'allow'
      FROM generate_series(1, ${IDLE_PROJECTS}::int) i, generate_series(1, ${RUNS_AHEAD}::int) j`.execute(
      db,
    );
    await sql`VACUUM ANALYZE triggers`.execute(db);
    const manyProjects = await measureClaimCost(db, projectId);
    return { oneProject, manyProjects };
  } finally {
    await close();
  }
}

async function measureClaimCost(db: Db, projectId: string): Promise<ClaimCost> {
  const claim = () =>
    claimDueTriggers(db, { workerId: "bench", leaseSeconds: 60, limit: 1 });
  let started = performance.now();
  for (let i = 0; i < CLAIMS; i++) {
    await claim();
  }
  const idleMs = (performance.now() - started) / CLAIMS;

  await insertDue(db, projectId, CLAIMS, () => new Date(Date.now() - 1000));
  started = performance.now();
  for (let i = 0; i < CLAIMS; i++) {
    if ((await claim()).claimed.length !== 1) {
      throw new Error("claim-scaling: a due trigger was not claimed");
    }
  }
  const dueMs = (performance.now() - started) / CLAIMS;
  // the claimed runs stay `running`; the project's limit (1000) leaves room for the next round
  await sql`UPDATE triggers SET status = 'cancelled', lease_expires_at = NULL, finished_at = now() WHERE project_id = ${projectId} AND status = 'running'`.execute(
    db,
  );
  return { idleMs, dueMs };
}
