import type { Db } from "../../pool.js";
import type { MisfirePolicy } from "../../tables/schedules.js";

export interface ListSchedulesToMaterializeOptions {
  /** Keyset cursor: only schedules with a larger id. Start with 0. */
  afterId: number;
  limit: number;
  /** now + horizon: schedules whose next unmade fire time lies beyond it have nothing to make. */
  until: Date;
  /**
   * Only new and changed schedules (materialized_version differs from version): the cheap
   * read between full passes, served by schedules_unmaterialized_idx. @default false
   */
  onlyChanged?: boolean;
}

/** What the trigger-creator needs to plan one schedule's triggers. */
export interface ScheduleToMaterialize {
  id: number;
  project_id: string;
  cron_expression: string;
  timezone: string;
  misfire_policy: MisfirePolicy;
  version: number;
  materialized_version: number | null;
  materialized_until: Date | null;
  invalid_reason: string | null;
  /** The project's max_attempts (`projects.max_attempts`, derived from its validated config). */
  max_attempts: number;
}

/**
 * One id-ordered batch of active schedules of active projects that need work: new or changed
 * ones (materialized_version differs from version), never-materialized or invalid ones (no
 * cursor), and those whose next unmade fire time has entered the horizon (`until`), which
 * includes every schedule that missed fires while no creator ran.
 * Keyset pagination on the primary key (schedules_active_idx), so a pass over 100,000
 * schedules reads each row once and no batch gets slower than the first. No locks: creation
 * is idempotent, and the cursor update checks the version read here.
 */
export async function listSchedulesToMaterialize(
  db: Db,
  {
    afterId,
    limit,
    until,
    onlyChanged = false,
  }: ListSchedulesToMaterializeOptions,
): Promise<ScheduleToMaterialize[]> {
  let query = db
    .selectFrom("schedules as s")
    .innerJoin("projects as p", "p.id", "s.project_id")
    .select([
      "s.id",
      "s.project_id",
      "s.cron_expression",
      "s.timezone",
      "s.misfire_policy",
      "s.version",
      "s.materialized_version",
      "s.materialized_until",
      "s.invalid_reason",
      "p.max_attempts",
    ])
    .where("s.is_active", "=", true)
    .where("p.is_active", "=", true)
    .where("s.id", ">", afterId)
    .orderBy("s.id")
    .limit(limit);
  query = onlyChanged
    ? query.where("s.materialized_version", "is distinct from", (eb) =>
        eb.ref("s.version"),
      )
    : query.where((eb) =>
        eb.or([
          eb("s.materialized_version", "is distinct from", eb.ref("s.version")),
          eb("s.materialized_until", "is", null),
          eb("s.next_unmaterialized_at", "<=", until),
        ]),
      );
  return query.execute();
}
