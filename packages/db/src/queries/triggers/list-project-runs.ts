import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { TriggerSource, TriggerStatus } from "../../tables/triggers.js";

export interface ProjectRun {
  id: number;
  schedule_id: number | null;
  source: TriggerSource;
  fire_at: Date;
  status: TriggerStatus;
  attempt: number;
  rescues: number;
  /** Why it ended as it did (skip, cancel, failure), or what its last attempt said. */
  reason: string | null;
  /** A `forbid` skip: the running trigger it overlapped. */
  skipped_for_trigger_id: number | null;
  finished_at: Date | null;
  /** The trigger's latest execution; null when it never started (skipped, cancelled, pending). */
  execution_id: number | null;
  execution_status: string | null;
}

export interface ListProjectRunsOptions {
  projectId: string;
  /** Keyset cursor: only triggers with a smaller id than this one. */
  beforeId?: number;
  statuses?: readonly TriggerStatus[];
  limit: number;
}

/**
 * A project's runs (its triggers), newest first, each with its final state, its reason and its
 * latest execution: the one place where runs that never started (skipped by a policy or a
 * deadline, missed, cancelled) are visible next to the ones that did. Keyset pagination on id
 * through triggers_project_id_idx; the latest execution by executions_trigger_idx.
 */
export async function listProjectRuns(
  db: Db,
  o: ListProjectRunsOptions,
): Promise<ProjectRun[]> {
  const statuses =
    o.statuses === undefined || o.statuses.length === 0
      ? null
      : [...new Set(o.statuses)];
  const { rows } = await sql<ProjectRun>`
    SELECT t.id, t.schedule_id, t.source, t.fire_at, t.status, t.attempt, t.rescues,
           t.last_error AS reason, t.skipped_for_trigger_id, t.finished_at,
           e.id AS execution_id, e.status AS execution_status
    FROM triggers t
    LEFT JOIN LATERAL (
      SELECT x.id, x.status FROM executions x WHERE x.trigger_id = t.id ORDER BY x.id DESC LIMIT 1
    ) e ON true
    WHERE t.project_id = ${o.projectId}
      AND (${o.beforeId ?? null}::bigint IS NULL OR t.id < ${o.beforeId ?? null}::bigint)
      AND (${statuses}::text[] IS NULL OR t.status = ANY(${statuses}::text[]))
    ORDER BY t.id DESC
    LIMIT ${o.limit}`.execute(db);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    schedule_id: r.schedule_id === null ? null : Number(r.schedule_id),
    skipped_for_trigger_id:
      r.skipped_for_trigger_id === null
        ? null
        : Number(r.skipped_for_trigger_id),
    execution_id: r.execution_id === null ? null : Number(r.execution_id),
  }));
}
