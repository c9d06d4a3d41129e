import {
  getProjectRule,
  getProjectSchedule,
  readProjectAuditState,
  type Db,
} from "@vigil/db";

/** A project with its schedules and rules, as `vigil apply` records it too. */
export const projectState = readProjectAuditState;

export async function scheduleState(
  db: Db,
  projectId: string,
  scheduleId: number,
) {
  return (await getProjectSchedule(db, projectId, scheduleId)) ?? null;
}

export async function ruleState(db: Db, projectId: string, ruleId: string) {
  return (await getProjectRule(db, projectId, ruleId)) ?? null;
}
