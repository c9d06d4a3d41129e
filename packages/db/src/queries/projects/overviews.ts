import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ExecutionStatus } from "../../tables/executions.js";

export interface ProjectOverview {
  project_id: string;
  last_execution: {
    id: number;
    status: ExecutionStatus;
    scheduled_for: Date;
    finished_at: Date | null;
  } | null;
  /** The earliest pending trigger's fire time. */
  next_fire_at: Date | null;
  open_discrepancies: {
    critical: number;
    high: number;
    medium: number;
    low: number;
    info: number;
  };
}

interface Row {
  project_id: string;
  last_id: string | null;
  last_status: ExecutionStatus | null;
  last_scheduled_for: Date | null;
  last_finished_at: Date | null;
  next_fire_at: Date | null;
  critical: string;
  high: string;
  medium: string;
  low: string;
  info: string;
}

/**
 * What a project list shows beside each project, for a page of ids in one statement: each
 * part is a lateral lookup per project on its own index (executions_project_id_idx for the
 * latest execution, triggers_project_pending_idx for the next run,
 * discrepancies_project_status_idx for the open ones), so a page costs the same however
 * long the history is.
 */
export async function listProjectOverviews(
  db: Db,
  ids: readonly string[],
): Promise<ProjectOverview[]> {
  if (ids.length === 0) {
    return [];
  }
  const { rows } = await sql<Row>`
    select p.id as project_id,
           le.id as last_id, le.status as last_status,
           le.scheduled_for as last_scheduled_for, le.finished_at as last_finished_at,
           nr.next_fire_at,
           od.critical, od.high, od.medium, od.low, od.info
      from unnest(${[...ids]}::text[]) with ordinality as p(id, n)
      left join lateral (
        select e.id, e.status, e.scheduled_for, e.finished_at
          from executions e
         where e.project_id = p.id
         order by e.id desc
         limit 1
      ) le on true
      left join lateral (
        select min(t.fire_at) as next_fire_at
          from triggers t
         where t.project_id = p.id and t.status = 'pending'
      ) nr on true
      cross join lateral (
        select count(*) filter (where d.severity = 'critical') as critical,
               count(*) filter (where d.severity = 'high') as high,
               count(*) filter (where d.severity = 'medium') as medium,
               count(*) filter (where d.severity = 'low') as low,
               count(*) filter (where d.severity = 'info') as info
          from discrepancies d
         where d.project_id = p.id and d.status = 'open'
      ) od
     order by p.n
  `.execute(db);
  return rows.map((r) => ({
    project_id: r.project_id,
    last_execution:
      r.last_id === null
        ? null
        : {
            id: Number(r.last_id),
            status: r.last_status!,
            scheduled_for: r.last_scheduled_for!,
            finished_at: r.last_finished_at,
          },
    next_fire_at: r.next_fire_at,
    open_discrepancies: {
      critical: Number(r.critical),
      high: Number(r.high),
      medium: Number(r.medium),
      low: Number(r.low),
      info: Number(r.info),
    },
  }));
}
