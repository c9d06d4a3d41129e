import type { Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { ExecutionRow } from "../../tables/executions.js";
import type { ProjectRow } from "../../tables/projects.js";

export interface ReportContext {
  project: Pick<ProjectRow, "id" | "name" | "config">;
  execution: Pick<
    ExecutionRow,
    | "id"
    | "status"
    | "attempt"
    | "scheduled_for"
    | "started_at"
    | "finished_at"
    | "duration_ms"
    | "window_start"
    | "window_end"
    | "findings_count"
    | "findings_truncated"
    | "error_message"
    | "rule_results"
  >;
}

/**
 * Reads what a report needs about an execution and its project, inside the transaction
 * that just wrote the execution (so it sees the final status and counts). Undefined when
 * either row is missing.
 */
export async function loadReportContext(
  db: Kysely<Database>,
  executionId: number,
): Promise<ReportContext | undefined> {
  const row = await db
    .selectFrom("executions as e")
    .innerJoin("projects as p", "p.id", "e.project_id")
    .select([
      "p.id as project_id",
      "p.name as project_name",
      "p.config as project_config",
      "e.id",
      "e.status",
      "e.attempt",
      "e.scheduled_for",
      "e.started_at",
      "e.finished_at",
      "e.duration_ms",
      "e.window_start",
      "e.window_end",
      "e.findings_count",
      "e.findings_truncated",
      "e.error_message",
      "e.rule_results",
    ])
    .where("e.id", "=", executionId)
    .executeTakeFirst();
  if (!row) {
    return undefined;
  }
  const { project_id, project_name, project_config, ...execution } = row;
  return {
    project: { id: project_id, name: project_name, config: project_config },
    execution,
  };
}
