// The queries of schedules/, one statement per file; ../index.ts re-exports them.

export {
  listProjectSchedules,
  getProjectSchedule,
  listAllSchedules,
} from "./crud-list.js";
export { createSchedule, type ScheduleFields } from "./crud-create.js";
export { updateSchedule } from "./crud-update.js";
export { deleteSchedule } from "./crud-delete.js";
export {
  listSchedulesToMaterialize,
  type ListSchedulesToMaterializeOptions,
  type ScheduleToMaterialize,
} from "./list-to-materialize.js";
export {
  advanceScheduleCursors,
  type ScheduleCursor,
} from "./advance-cursors.js";
export { lockSchedulesForMaterialize } from "./lock-for-materialize.js";
export {
  markSchedulesInvalid,
  type InvalidScheduleMark,
} from "./mark-invalid.js";
export { readDatabaseTime } from "./read-database-time.js";
