import type { Db } from "../pool.js";
import { getProject } from "../queries/projects/get.js";
import { listProjectRules } from "../queries/rules/list.js";
import { listProjectSchedules } from "../queries/schedules/crud-list.js";

/**
 * A project as the audit trail records it, before and after a write: its row, schedules
 * and rules (with code); null when it does not exist. Shared by the API and `vigil apply`
 * so both record the same shape.
 */
export async function readProjectAuditState(db: Db, id: string) {
  const project = await getProject(db, id);
  if (project === undefined) {
    return null;
  }
  const schedules = await listProjectSchedules(db, id);
  const rules = await listProjectRules(db, id);
  return { project, schedules, rules };
}
