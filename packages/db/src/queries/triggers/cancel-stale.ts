import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";

export interface ScheduleVersion {
  scheduleId: number;
  /** The schedule's current version; pending triggers of any other version are stale. */
  version: number;
}

/**
 * Cancels the not-yet-claimed triggers of changed schedules: every `pending` one made from
 * another version than the current one. Pass only schedules that may have triggers of another
 * version (materialized_version set and different), not every new one. Row locks: the pending triggers of these schedules,
 * one at a time; a trigger an executor claims first is `running` when the lock is granted,
 * fails the re-checked `status = 'pending'` and is left alone (never touch a running run).
 * Returns how many were cancelled.
 */
export async function cancelStaleTriggers(
  db: Db,
  schedules: readonly ScheduleVersion[],
): Promise<number> {
  if (schedules.length === 0) {
    return 0;
  }
  // Meant for the few schedules that changed, probing the (schedule_id, fire_at) key; the
  // status is checked on the row being updated, so the partial pending index, which the
  // planner underestimates on a fresh table, is not folded into each probe.
  const result = await sql`
    update triggers as t
    set status = 'cancelled',
        last_error = 'schedule changed (now version ' || stale.version || '); not-yet-started runs are re-made from the new definition',
        finished_at = now(),
        updated_at = now()
    from (
      select p.id, x.version
      from unnest(${schedules.map((s) => s.scheduleId)}::bigint[], ${schedules.map((s) => s.version)}::int[]) as x(id, version)
      cross join lateral (
        select tr.id from triggers tr
        where tr.schedule_id = x.id and tr.schedule_version is distinct from x.version
      ) p
    ) as stale
    where t.id = stale.id
      and t.status = 'pending'`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export interface SuspendedSweep {
  /** Schedules (suspended, or of a suspended project) the creator caught up with. */
  schedules: number;
  /** Their pending triggers, now cancelled. */
  cancelled: number;
}

/**
 * For schedules that stopped firing (is_active false, or their project's) and that the
 * trigger-creator has not caught up with (materialized_version differs: suspension bumps the
 * version), cancels every pending trigger, clears the cursor and records the version, in one
 * statement. schedules_unmaterialized_idx keeps this cheap: it holds only such rows.
 * The projects and then their schedules are locked first (the lock order of
 * lockProjectForWrite), so the sweep never holds a row a project write needs while waiting
 * for another.
 * A resumed schedule gets a new version again and is materialized from then on, without
 * catching up on the runs it missed while suspended.
 */
export async function cancelSuspendedScheduleTriggers(
  db: Db,
): Promise<SuspendedSweep> {
  // a deadlock victim runs again (two creators at once can meet in another order)
  const { rows } = await inTransaction(db, (trx) =>
    sql<{ schedules: number; cancelled: number }>`
    with locked as (
      -- each project, then its schedules in id order (the order of every project write).
      -- FOR SHARE waits for a write of the project in progress (a resume, say) and then
      -- re-checks the row as committed: a schedule resumed meanwhile is left alone, not swept
      -- as suspended at its new version.
      select s.id from schedules s join projects p on p.id = s.project_id
      where s.materialized_version is distinct from s.version
        and (not s.is_active or not p.is_active)
      order by p.id, s.id
      for share of p for no key update of s
    ), swept as (
      update schedules as s
      set materialized_version = s.version, materialized_until = null, next_unmaterialized_at = null
      from locked l
      where s.id = l.id
      returning s.id, s.is_active
    ), cancelled as (
      update triggers as t
      set status = 'cancelled',
          last_error = case when swept.is_active then 'project suspended' else 'schedule suspended' end,
          finished_at = now(),
          updated_at = now()
      from swept
      where t.schedule_id = swept.id and t.status = 'pending'
      returning t.id
    )
    select (select count(*) from swept)::int as schedules, (select count(*) from cancelled)::int as cancelled`.execute(
      trx,
    ),
  );
  return rows[0] ?? { schedules: 0, cancelled: 0 };
}

/**
 * Cancels pending scheduled triggers whose schedule was deleted (ON DELETE SET NULL left
 * schedule_id null). Manual triggers have no schedule by design and are not touched.
 * triggers_orphaned_idx holds only such rows, so an empty sweep is one index probe.
 */
export async function cancelOrphanedTriggers(db: Db): Promise<number> {
  const result = await db
    .updateTable("triggers")
    .set({
      status: "cancelled",
      last_error: "schedule deleted",
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where("status", "=", "pending")
    .where("schedule_id", "is", null)
    .where("source", "in", ["schedule", "catchup"])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
