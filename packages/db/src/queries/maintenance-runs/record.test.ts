import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest } from "../../testing/index.js";
import { getLastMaintenanceRun } from "./get-last.js";
import { pruneMaintenanceRuns } from "./prune.js";
import {
  finishMaintenanceRun,
  startMaintenanceRun,
  type PrunedCounts,
} from "./record.js";

const counts: PrunedCounts = {
  executions: 5,
  findings: 9,
  triggers: 2,
  reports_delivered: 1,
  reports_dead: 0,
  workers_marked_dead: 0,
  workers: 0,
  maintenance_runs: 0,
  audit_events: 3,
  watchdog_episodes: 0,
  execution_inputs: 0,
};

dbTest(
  "records a pass and reads back the last finished one, not one still running",
  async ({ db }) => {
    expect(await getLastMaintenanceRun(db)).toBeUndefined();
    const first = await startMaintenanceRun(db, { workerId: "cleaner-1" });
    await finishMaintenanceRun(db, {
      id: first,
      pruned: counts,
      durationMs: 12.4,
    });
    await startMaintenanceRun(db, { workerId: "cleaner-2" });
    const last = await getLastMaintenanceRun(db);
    expect(last).toMatchObject({
      id: first,
      worker_id: "cleaner-1",
      duration_ms: 12,
      pruned: counts,
      error: null,
    });
  },
);

dbTest(
  "prunes old maintenance runs but always keeps the newest",
  async ({ db }) => {
    await db.deleteFrom("maintenance_runs").execute();
    const ago = (d: number) => sql<Date>`now() - make_interval(days => ${d})`;
    await db
      .insertInto("maintenance_runs")
      .values([{ started_at: ago(90) }, { started_at: ago(60) }])
      .execute();
    expect(
      await pruneMaintenanceRuns(db, { olderThanDays: 30, limit: 10 }),
    ).toBe(1);
    const left = await db
      .selectFrom("maintenance_runs")
      .select("started_at")
      .execute();
    expect(left).toHaveLength(1);
  },
);
