import { sql } from "kysely";
import type { Db } from "@vigil/db";
import { createLogger } from "@vigil/logger";

import type { PrunePassOptions } from "../src/prune-pass.js";

export const quietLogger = createLogger({
  level: "silent",
  name: "cleaner-test",
});

export const PASS_OPTIONS: PrunePassOptions = {
  retention: { keepLast: 20, maxAgeDays: 30, failedMaxAgeDays: null },
  triggersMaxAgeDays: 7,
  reportsDeliveredDays: 7,
  reportsDeadDays: 30,
  deadWorkersDays: 1,
  workerStaleSeconds: 60,
  auditDays: 365,
  inputRetentionDays: 7,
  inputTotalMaxBytes: null,
  batchSize: 25,
};

/**
 * Seeds `count` finished executions of a project, `daysAgo` old, each with its own finished
 * trigger (finished as long ago) and `findingsPer` findings, in three set-based statements.
 */
export async function seedOldHistory(
  db: Db,
  o: { projectId: string; count: number; daysAgo: number; findingsPer: number },
): Promise<void> {
  await sql`
    WITH t AS (
      INSERT INTO triggers (project_id, fire_at, available_at, source, status, attempt, finished_at)
      SELECT ${o.projectId}, now() - make_interval(days => ${o.daysAgo}), now() - make_interval(days => ${o.daysAgo}),
             'schedule', 'succeeded', 1, now() - make_interval(days => ${o.daysAgo})
      FROM generate_series(1, ${o.count})
      RETURNING id
    ), e AS (
      INSERT INTO executions (trigger_id, project_id, status, scheduled_for, created_at, findings_count)
      SELECT t.id, ${o.projectId}, 'success', now() - make_interval(days => ${o.daysAgo}),
             now() - make_interval(days => ${o.daysAgo}), ${o.findingsPer}
      FROM t ORDER BY t.id
      RETURNING id
    )
    INSERT INTO findings (execution_id, project_id, rule_id, severity, fingerprint, finding_key, message)
    SELECT e.id, ${o.projectId}, 'rule', 'low', 'fp-' || e.id || '-' || n, 'k' || n, 'old finding'
    FROM e, generate_series(1, ${o.findingsPer}) AS n`.execute(db);
}

/** How many rows of `table` belong to the project. */
export async function countRows(
  db: Db,
  table: "executions" | "findings" | "triggers",
  projectId: string,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("project_id", "=", projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
