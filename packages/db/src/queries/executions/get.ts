import type { Db } from "../../pool.js";
import type { ExecutionRow } from "../../tables/executions.js";
import type { FindingRow } from "../../tables/findings.js";

export interface ExecutionDetail {
  execution: ExecutionRow;
  findings: FindingRow[];
  /** True when the execution has more findings than were returned. */
  findings_has_more: boolean;
}

/** One execution with its output tails and up to `findingsLimit` findings (findings_execution_idx). */
export async function getExecutionDetail(
  db: Db,
  id: number,
  findingsLimit: number,
): Promise<ExecutionDetail | undefined> {
  const execution = await db
    .selectFrom("executions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (execution === undefined) {
    return undefined;
  }
  const findings = await db
    .selectFrom("findings")
    .selectAll()
    .where("execution_id", "=", id)
    .orderBy("id")
    .limit(findingsLimit + 1)
    .execute();
  return {
    execution,
    findings: findings.slice(0, findingsLimit),
    findings_has_more: findings.length > findingsLimit,
  };
}
