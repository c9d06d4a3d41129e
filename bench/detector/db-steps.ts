import {
  claimDueTriggers,
  createDb,
  getLatestDataset,
  getProjectForRun,
} from "@vigil/db";

import { createBenchProject } from "./executor-runs.js";
import { median } from "./floor.js";

export interface DbSteps {
  /** claimDueTriggers for one due trigger: lock, claim, start the execution row, commit. */
  claimMs: number;
  /** getProjectForRun + getLatestDataset: what the runner reads before it can synthesize. */
  loadProjectMs: number;
}

/**
 * The executor's own database reads and the claim, timed alone on the same server, so the
 * end-to-end figure can be split into "detector process" and "database". The probe's triggers
 * and executions are deleted afterwards so no executor ever sees them.
 */
export async function measureDbSteps(url: string, n: number): Promise<DbSteps> {
  const handle = createDb({
    connectionString: url,
    max: 2,
    applicationName: "vigil-bench-detector-steps",
  });
  const db = handle.db;
  const projectId = await createBenchProject(db, { maxConcurrency: 1000 });
  try {
    const claims: number[] = [];
    const loads: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const now = new Date(Date.now() - 100);
      await db
        .insertInto("triggers")
        .values({
          project_id: projectId,
          source: "manual",
          fire_at: now,
          available_at: now,
        })
        .execute();
      const t0 = performance.now();
      const { claimed } = await claimDueTriggers(db, {
        workerId: "bench-detector-probe",
        leaseSeconds: 3600,
        limit: 1,
      });
      const t1 = performance.now();
      await Promise.all([
        getProjectForRun(db, projectId),
        getLatestDataset(db, projectId),
      ]);
      const t2 = performance.now();
      if (claimed.length !== 1) {
        throw new Error(`expected one claimed trigger, got ${claimed.length}`);
      }
      if (i >= 3) {
        claims.push(t1 - t0);
        loads.push(t2 - t1);
      }
    }
    return { claimMs: median(claims), loadProjectMs: median(loads) };
  } finally {
    await db
      .deleteFrom("executions")
      .where("project_id", "=", projectId)
      .execute();
    await db
      .deleteFrom("triggers")
      .where("project_id", "=", projectId)
      .execute();
    await db
      .updateTable("projects")
      .set({ is_active: false })
      .where("id", "=", projectId)
      .execute();
    await handle.close();
  }
}
