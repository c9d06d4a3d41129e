import type { Db } from "../../pool.js";
import type { ExecutionRow, ExecutionStatus } from "../../tables/executions.js";

export const EXECUTION_LIST_COLUMNS = [
  "id",
  "trigger_id",
  "project_id",
  "attempt",
  "status",
  "source",
  "scheduled_for",
  "started_at",
  "finished_at",
  "duration_ms",
  "exit_code",
  "signal",
  "error_message",
  "findings_count",
  "findings_truncated",
  "rules_total",
  "rules_failed",
  "row_count",
  "detector_hash",
  "worker_id",
  "window_start",
  "window_end",
  "created_at",
  "sandbox",
] as const;

export type ExecutionListItem = Pick<
  ExecutionRow,
  (typeof EXECUTION_LIST_COLUMNS)[number]
>;

export interface ListExecutionsOptions {
  projectId: string;
  /** Keyset cursor: only executions with a smaller id (older) than this one. */
  beforeId?: number;
  statuses?: readonly ExecutionStatus[];
  /** Inclusive lower bound on scheduled_for. */
  from?: Date;
  /** Exclusive upper bound on scheduled_for. */
  to?: Date;
  limit: number;
}

/**
 * A project's executions, newest first, one page at a time. Keyset pagination on id
 * (`id < cursor ORDER BY id DESC`) instead of OFFSET: new rows get larger ids, so pages
 * already handed out never shift, and a deep page costs the same as the first one.
 *
 * Two steps in one statement: the page's ids from an index-only scan of
 * executions_project_id_idx (or, per status, executions_project_status_idx, merged with
 * UNION ALL), then those rows by primary key. Asked for the rows directly, the planner
 * prefers walking the primary key backwards and filtering on project_id, which reads most
 * of the table when a project's runs are all old (bench/api, 200k-run project: first page
 * p50 17 ms -> 1 ms; `status=failed,timeout` sorted every matching row before).
 */
export async function listProjectExecutions(
  db: Db,
  o: ListExecutionsOptions,
): Promise<ExecutionListItem[]> {
  const statuses =
    o.statuses === undefined || o.statuses.length === 0
      ? [undefined]
      : [...new Set(o.statuses)];
  const pageIds = (status: ExecutionStatus | undefined) => {
    let q = db
      .selectFrom("executions")
      .select("id")
      .where("project_id", "=", o.projectId);
    if (status !== undefined) {
      q = q.where("status", "=", status);
    }
    if (o.beforeId !== undefined) {
      q = q.where("id", "<", o.beforeId);
    }
    if (o.from !== undefined) {
      q = q.where("scheduled_for", ">=", o.from);
    }
    if (o.to !== undefined) {
      q = q.where("scheduled_for", "<", o.to);
    }
    return q.orderBy("id", "desc").limit(o.limit);
  };
  const [first, ...rest] = statuses;
  const ids =
    rest.length === 0
      ? pageIds(first)
      : db
          .selectFrom(
            rest
              .reduce(
                (acc, status) =>
                  acc.unionAll(
                    db.selectFrom(pageIds(status).as("b")).select("id"),
                  ),
                db.selectFrom(pageIds(first).as("a")).select("id"),
              )
              .as("u"),
          )
          .select("id")
          .orderBy("id", "desc")
          .limit(o.limit);
  return db
    .selectFrom("executions")
    .select(EXECUTION_LIST_COLUMNS)
    .where("id", "in", ids)
    .orderBy("id", "desc")
    .execute();
}
