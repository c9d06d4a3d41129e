// The queries of backfills/, one statement per file; ../index.ts re-exports them.

export { insertBackfill, type InsertBackfillOptions } from "./create.js";
export { notifyBackfillCreated } from "./notify-created.js";
export { listRunningBackfillIds } from "./list-running.js";
export { lockRunningBackfill, type LockedBackfill } from "./lock.js";
export {
  findNextBackfillWindows,
  type BackfillWindow,
} from "./next-windows.js";
export {
  insertBackfillTriggers,
  type InsertBackfillTriggersOptions,
} from "./insert-triggers.js";
export { advanceBackfill, type AdvanceBackfillOptions } from "./advance.js";
export { getBackfillProgress, type BackfillProgress } from "./get.js";
export { cancelBackfill } from "./cancel.js";
export { cancelPendingBackfillTriggers } from "./cancel-triggers.js";
