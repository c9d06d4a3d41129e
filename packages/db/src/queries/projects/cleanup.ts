import type { Transaction } from "kysely";

import type { Database } from "../../database.js";

export interface CleanupCounts {
  executions: number;
  triggers: number;
  reports: number;
  discrepancies: number;
}

/**
 * Deletes a project's finished history now (DELETE /projects/{id}/cleanup): delivered and
 * dead reports, finished executions (findings cascade) that no undelivered report still
 * points at, finished triggers, and resolved discrepancies. Pending and running work and
 * open discrepancies stay. Run in one transaction so a failure deletes nothing.
 */
export async function deleteFinishedHistory(
  trx: Transaction<Database>,
  projectId: string,
): Promise<CleanupCounts> {
  const reports = await trx
    .deleteFrom("report_outbox")
    .where("project_id", "=", projectId)
    .where("status", "in", ["delivered", "dead"])
    .executeTakeFirst();
  const executions = await trx
    .deleteFrom("executions as e")
    .where("e.project_id", "=", projectId)
    .where("e.status", "not in", ["pending", "running"])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("report_outbox as o")
            .select("o.id")
            .whereRef("o.execution_id", "=", "e.id")
            .where("o.status", "in", ["pending", "delivering"]),
        ),
      ),
    )
    .executeTakeFirst();
  const triggers = await trx
    .deleteFrom("triggers")
    .where("project_id", "=", projectId)
    .where("status", "in", ["succeeded", "failed", "skipped", "cancelled"])
    .executeTakeFirst();
  const discrepancies = await trx
    .deleteFrom("discrepancies")
    .where("project_id", "=", projectId)
    .where("status", "=", "resolved")
    .executeTakeFirst();
  return {
    executions: Number(executions.numDeletedRows),
    triggers: Number(triggers.numDeletedRows),
    reports: Number(reports.numDeletedRows),
    discrepancies: Number(discrepancies.numDeletedRows),
  };
}
