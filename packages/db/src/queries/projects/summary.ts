import type { Db } from "../../pool.js";
import type { ExecutionRow, ExecutionStatus } from "../../tables/executions.js";

export interface ProjectRunSummary {
  last_execution: Pick<
    ExecutionRow,
    | "id"
    | "status"
    | "scheduled_for"
    | "started_at"
    | "finished_at"
    | "duration_ms"
    | "findings_count"
  > | null;
  /** Statuses of the latest `recent` executions (fewer when the project has fewer). */
  counts: Record<ExecutionStatus, number>;
  next_fire_at: Date | null;
}

/**
 * The project page's run facts: the latest `recent` executions (their ids from an
 * index-only scan of executions_project_id_idx, then the rows by primary key; see
 * executions/list.ts for why not in one step) give the last execution and the status
 * counts, so the cost does not grow with the project's history; the next pending trigger
 * comes from triggers_project_pending_idx.
 */
export async function getProjectRunSummary(
  db: Db,
  projectId: string,
  { recent }: { recent: number },
): Promise<ProjectRunSummary> {
  const [latest, next] = await Promise.all([
    db
      .selectFrom("executions")
      .select([
        "id",
        "status",
        "scheduled_for",
        "started_at",
        "finished_at",
        "duration_ms",
        "findings_count",
      ])
      .where(
        "id",
        "in",
        db
          .selectFrom("executions")
          .select("id")
          .where("project_id", "=", projectId)
          .orderBy("id", "desc")
          .limit(recent),
      )
      .orderBy("id", "desc")
      .execute(),
    db
      .selectFrom("triggers")
      .select("fire_at")
      .where("project_id", "=", projectId)
      .where("status", "=", "pending")
      .orderBy("fire_at")
      .limit(1)
      .executeTakeFirst(),
  ]);
  const counts: Record<ExecutionStatus, number> = {
    pending: 0,
    running: 0,
    success: 0,
    partial: 0,
    failed: 0,
    cancelled: 0,
    timeout: 0,
    lost: 0,
  };
  for (const row of latest) {
    counts[row.status] += 1;
  }
  return {
    last_execution: latest[0] ?? null,
    counts,
    next_fire_at: next?.fire_at ?? null,
  };
}
