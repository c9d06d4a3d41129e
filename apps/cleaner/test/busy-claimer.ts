import { sql } from "kysely";
import type { Db } from "@vigil/db";

export interface ClaimerStats {
  runs: number;
  errors: unknown[];
}

/**
 * What an executor pool does to the database, without the subprocess: claim up to `batch`
 * due triggers with SKIP LOCKED, then for each, in one transaction, insert a running
 * execution, its findings, finish the execution and the trigger (fenced on claimed_by).
 * Runs `workers` loops until no pending trigger is left.
 */
export async function runBusyClaimer(
  db: Db,
  { workers, batch }: { workers: number; batch: number },
): Promise<ClaimerStats> {
  const stats: ClaimerStats = { runs: 0, errors: [] };
  const loop = async (workerId: string) => {
    for (;;) {
      const claimed = await sql<{ id: number; project_id: string }>`
        UPDATE triggers SET status = 'running', claimed_by = ${workerId}, claimed_at = now(),
               lease_expires_at = now() + interval '1 minute', attempt = attempt + 1, updated_at = now()
        WHERE id IN (SELECT id FROM triggers WHERE status = 'pending' AND available_at <= now()
                     ORDER BY available_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
        RETURNING id, project_id`.execute(db);
      if (claimed.rows.length === 0) {
        return;
      }
      for (const t of claimed.rows) {
        try {
          await db.transaction().execute(async (trx) => {
            const e = await trx
              .insertInto("executions")
              .values({
                trigger_id: t.id,
                project_id: t.project_id,
                status: "running",
                scheduled_for: new Date(),
                started_at: new Date(),
                worker_id: workerId,
              })
              .returning("id")
              .executeTakeFirstOrThrow();
            await trx
              .insertInto("findings")
              .values(
                [1, 2].map((n) => ({
                  execution_id: e.id,
                  project_id: t.project_id,
                  rule_id: "rule",
                  severity: "low" as const,
                  fingerprint: `new-${e.id}-${n}`,
                  finding_key: `k${n}`,
                  message: "new",
                })),
              )
              .execute();
            await trx
              .updateTable("executions")
              .set({
                status: "success",
                finished_at: new Date(),
                findings_count: 2,
              })
              .where("id", "=", e.id)
              .execute();
            const finished = await trx
              .updateTable("triggers")
              .set({
                status: "succeeded",
                finished_at: sql<Date>`now()`,
                updated_at: sql<Date>`now()`,
              })
              .where("id", "=", t.id)
              .where("claimed_by", "=", workerId)
              .where("status", "=", "running")
              .executeTakeFirst();
            if (finished.numUpdatedRows !== 1n) {
              throw new Error(`lost trigger ${t.id}`);
            }
          });
          stats.runs += 1;
        } catch (err) {
          stats.errors.push(err);
        }
      }
    }
  };
  await Promise.all(
    Array.from({ length: workers }, (_, i) => loop(`claimer-${i}`)),
  );
  return stats;
}
