import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";

export interface CountRunForAlertsOptions {
  projectId: string;
  /** `failure`: a final run in a status of `alert.on`; `success`: a run that succeeded. */
  result: "failure" | "success";
}

export interface AlertRunCount {
  /** Final runs in a row that failed, this one included (0 after a success). */
  consecutiveFailures: number;
  /** Whether this failure episode had alerted before this run (a success then owes a recovery). */
  wasAlerting: boolean;
  /** The failure alert of the episode that this success ends, if any. */
  alertExecutionId: number | null;
}

/**
 * Counts one final run towards the project's failure alerts, inside the record transaction: a
 * failure adds one to `consecutive_failures`, a success sets it to 0 and ends the alerting
 * episode. The row lock the upsert takes (and the `FOR UPDATE` before it) serializes concurrent
 * runs of one project, so two failures are never counted as the same one. Returns the count and
 * the episode state from before this run.
 */
export async function countRunForAlerts(
  trx: Transaction<Database>,
  { projectId, result }: CountRunForAlertsOptions,
): Promise<AlertRunCount> {
  const failed = result === "failure";
  const before = await trx
    .selectFrom("project_alert_states")
    .select(["alerted_at", "alert_execution_id"])
    .where("project_id", "=", projectId)
    .forUpdate()
    .executeTakeFirst();
  const row = await trx
    .insertInto("project_alert_states")
    .values({
      project_id: projectId,
      consecutive_failures: failed ? 1 : 0,
    })
    .onConflict((oc) =>
      oc.column("project_id").doUpdateSet({
        consecutive_failures: failed
          ? sql<number>`project_alert_states.consecutive_failures + 1`
          : 0,
        alerted_at: failed ? sql`project_alert_states.alerted_at` : null,
        alert_execution_id: failed
          ? sql`project_alert_states.alert_execution_id`
          : null,
        updated_at: sql`now()`,
      }),
    )
    .returning("consecutive_failures")
    .executeTakeFirstOrThrow();
  return {
    consecutiveFailures: row.consecutive_failures,
    wasAlerting: (before?.alerted_at ?? null) !== null,
    alertExecutionId: before?.alert_execution_id ?? null,
  };
}
