import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";

export interface SettleMissedOptions {
  /** The pass's instant: fire times at or before it are due. */
  now: Date;
  /** Most catch-up runs `run_all` keeps per schedule; the newest are kept. */
  maxCatchup: number;
  /** Only these schedules (a batch that just made catch-up runs); absent: every schedule with due or held triggers. */
  scheduleIds?: readonly number[];
}

export interface SettleMissedResult {
  /** Missed fire times marked `skipped` ("missed: ...") by the misfire policy. */
  skipped: number;
  /** Missed fire times kept to run, now `source = 'catchup'`. */
  caughtUp: number;
  /** Triggers of `forbid` schedules held (available_at = fire_at + 1 day) behind a catch-up of their schedule. */
  held: number;
  /** Held triggers released (available_at back to fire_at, or now) once their schedule's catch-ups are done. */
  released: number;
}

/**
 * Applies each schedule's misfire policy to fire times that exist as triggers but were missed
 * (the executors were down or full), then orders catch-ups and later runs under `forbid`.
 *
 * - **Current and missed**: of a schedule's not-yet-started triggers (pending, attempt 0) that
 *   are due, the newest is the current fire time: it runs whatever the policy (late, but its
 *   period is now; starting_deadline_seconds may still skip it). The older ones were missed:
 *   the next fire time came before they started. The policy decides about them, as for the
 *   fires the trigger-creator never made after its own downtime (planMissedRuns): `skip` marks
 *   every one skipped, `run_once` keeps the newest (none while a catch-up of the schedule is
 *   still running: that one covers them), `run_all` keeps the newest `maxCatchup`; the others
 *   are `skipped` with a reason starting "missed:". Kept ones become `source = 'catchup'`.
 * - **Catch-ups first, then the current fire time**: while a catch-up of a `forbid` schedule
 *   is pending or running, the schedule's later triggers are held (available_at = fire_at +
 *   1 day, so no claim sees them until released, and one no creator releases comes due by
 *   itself a day late rather than never) instead of being skipped by `forbid` as overlapping it; once no earlier
 *   catch-up is left they are released with available_at = greatest(fire_at, now), so a run
 *   whose time has not come stays where it was and one that came meanwhile is due at once.
 *   `run_all` catch-ups thus run one after the other, oldest first, and the current fire time
 *   after them. `allow` and `replace` need no hold: the claim keeps their later triggers pending.
 *
 * Lock order (packages/db/README.md): the schedules concerned in id order, then their triggers.
 * Rows the claim holds are waited for and then re-checked (status, attempt), so a trigger an
 * executor started is never touched.
 */
export async function settleMissedTriggers(
  db: Db,
  { now, maxCatchup, scheduleIds }: SettleMissedOptions,
): Promise<SettleMissedResult> {
  return inTransaction(db, async (trx) => {
    const at = now.toISOString();
    // Schedules with due or held pending triggers, or a running catch-up (triggers_due_idx,
    // triggers_lease_idx): what is due is claimed within a poll, so these are few; the held
    // range (more than 12 h ahead) also walks the next trigger of schedules that fire rarer
    // than twice a day, one index entry each.
    const { rows: found } =
      scheduleIds === undefined
        ? await sql<{ id: number }>`
            -- one arm per index, so none of them turns into a scan of every trigger
            select schedule_id as id from triggers
            where status = 'pending' and available_at <= ${at}::timestamptz
              and schedule_id is not null and source in ('schedule', 'catchup')
            union
            select schedule_id from triggers
            where status = 'pending' and available_at > ${at}::timestamptz + interval '12 hours'
              and schedule_id is not null and attempt = 0 and available_at = fire_at + interval '1 day'
            union
            select schedule_id from triggers
            where status = 'running' and source = 'catchup' and schedule_id is not null`.execute(
            trx,
          )
        : { rows: scheduleIds.map((id) => ({ id })) };
    if (found.length === 0) {
      return { skipped: 0, caughtUp: 0, held: 0, released: 0 };
    }
    const { rows: locked } = await sql<{ id: number }>`
      select id from schedules where id = any(${found.map((r) => r.id)}::bigint[])
      order by id for no key update`.execute(trx);
    const ids = locked.map((r) => r.id);

    const { rows: settled } = await sql<{ kept: boolean }>`
      with pile as (
        select t.id, s.misfire_policy,
               row_number() over (partition by t.schedule_id order by t.fire_at desc) as newest_rank,
               exists (select 1 from triggers c
                       where c.schedule_id = t.schedule_id and c.status = 'running'
                         and c.source = 'catchup') as catching_up
        from triggers t join schedules s on s.id = t.schedule_id
        where t.schedule_id = any(${ids}::bigint[]) and t.status = 'pending' and t.attempt = 0
          and t.source in ('schedule', 'catchup') and t.fire_at <= ${at}::timestamptz
      ), decided as (
        select p.id, p.misfire_policy,
               case p.misfire_policy when 'skip' then false
                                     when 'run_once' then p.newest_rank = 2 and not p.catching_up
                                     else p.newest_rank <= ${maxCatchup} + 1 end as kept
        from pile p where p.newest_rank >= 2
      )
      update triggers t
      set status = case when d.kept then 'pending' else 'skipped' end,
          source = case when d.kept then 'catchup' else t.source end,
          last_error = case when d.kept then null
                            else 'missed: a later fire time of its schedule came before it started; misfire policy '
                                 || d.misfire_policy end,
          finished_at = case when d.kept then null else now() end,
          updated_at = now()
      from decided d
      where t.id = d.id and t.status = 'pending' and t.attempt = 0
        and not (d.kept and t.source = 'catchup')
      returning d.kept as kept`.execute(trx);

    const held = await sql`
      update triggers t
      set available_at = t.fire_at + interval '1 day', updated_at = now()
      where t.schedule_id = any(${ids}::bigint[]) and t.status = 'pending' and t.attempt = 0
        and t.concurrency_policy = 'forbid' and t.available_at < t.fire_at + interval '1 day'
        and exists (select 1 from triggers c
                    where c.schedule_id = t.schedule_id and c.source = 'catchup'
                      and c.status in ('pending', 'running') and c.fire_at < t.fire_at)`.execute(
      trx,
    );
    const released = await sql`
      update triggers t
      set available_at = greatest(t.fire_at, ${at}::timestamptz), updated_at = now()
      where t.schedule_id = any(${ids}::bigint[]) and t.status = 'pending'
        and t.attempt = 0 and t.available_at = t.fire_at + interval '1 day'
        and not exists (select 1 from triggers c
                        where c.schedule_id = t.schedule_id and c.source = 'catchup'
                          and c.status in ('pending', 'running') and c.fire_at < t.fire_at)`.execute(
      trx,
    );
    return {
      skipped: settled.filter((r) => !r.kept).length,
      caughtUp: settled.filter((r) => r.kept).length,
      held: Number(held.numAffectedRows ?? 0n),
      released: Number(released.numAffectedRows ?? 0n),
    };
  });
}
