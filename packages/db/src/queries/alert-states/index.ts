// The queries of alert-states/, one statement per file; ../index.ts re-exports them.

export {
  countRunForAlerts,
  type AlertRunCount,
  type CountRunForAlertsOptions,
} from "./count-run.js";
export { markProjectAlerted } from "./mark-alerted.js";
