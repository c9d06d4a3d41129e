import {
  getProject,
  getProjectRule,
  getProjectSchedule,
  listProjectRules,
  listProjectSchedules,
  type Db,
} from "@vigil/db";

/** A project as the audit trail records it: settings, schedules and rules (with code). */
export async function projectState(db: Db, id: string) {
  const project = await getProject(db, id);
  if (project === undefined) {
    return null;
  }
  const schedules = await listProjectSchedules(db, id);
  const rules = await listProjectRules(db, id);
  return { project, schedules, rules };
}

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
