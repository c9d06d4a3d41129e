import type { Db } from "../../pool.js";
import type { ExecutionRow } from "../../tables/executions.js";
import type { FindingRow } from "../../tables/findings.js";

export interface ExecutionDetail {
  execution: ExecutionRow;
  /** The execution this one replayed (its trigger's `replay_of`); null unless a replay. */
  replay_of: number | null;
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
  const row = await db
    .selectFrom("executions as e")
    .leftJoin("triggers as t", "t.id", "e.trigger_id")
    .selectAll("e")
    .select("t.replay_of")
    .where("e.id", "=", id)
    .executeTakeFirst();
  if (row === undefined) {
    return undefined;
  }
  const { replay_of, ...execution } = row;
  const findings = await db
    .selectFrom("findings")
    .selectAll()
    .where("execution_id", "=", id)
    .orderBy("id")
    .limit(findingsLimit + 1)
    .execute();
  return {
    execution,
    replay_of,
    findings: findings.slice(0, findingsLimit),
    findings_has_more: findings.length > findingsLimit,
  };
}
