import { ProjectConfigSchema, reportChannels } from "@vigil/contracts";
import type { DiscrepancyTransition, JsonValue } from "@vigil/db";

import type { RecordPlan } from "./record-outcome.js";
import type { ReportSettings } from "./reports/enqueue-report.js";
import {
  classifyForAlerts,
  groupDiscrepancyChanges,
  shouldSendReport,
  type FinalExecutionStatus,
} from "./reports/plan-report.js";

/**
 * Whether the report hook (`src/reports/wiring.ts`) could write anything for this run under this
 * project config, given the discrepancies the run resolved. False only when it certainly would
 * not: then the record can skip the hook's transaction and context read (bench/executor: that
 * transaction was 3 of the record's 4 round trips). Unsure (an invalid config: the hook logs it)
 * → true, and the hook decides as before.
 */
export type ReportPrecheck = (
  projectConfig: JsonValue,
  plan: Pick<RecordPlan, "trigger" | "executionStatus" | "findings">,
  resolved: readonly DiscrepancyTransition[],
) => boolean;

/** The same decisions as `enqueueReportForExecution`, made without reading or writing anything. */
export function createReportPrecheck(
  settings: Pick<ReportSettings, "globalReportUrlSet">,
): ReportPrecheck {
  // configs repeat (one per project): parse each distinct one once
  const parsed = new Map<
    string,
    ReturnType<typeof ProjectConfigSchema.safeParse>
  >();
  return (projectConfig, plan, resolved) => {
    if (plan.trigger.kind === "released") {
      return false; // handed back on shutdown: the hook reports nothing, the trigger runs again
    }
    const key = JSON.stringify(projectConfig);
    let config = parsed.get(key);
    if (!config) {
      config = ProjectConfigSchema.safeParse(projectConfig);
      if (parsed.size >= 1000) {
        parsed.clear();
      }
      parsed.set(key, config);
    }
    if (!config.success) {
      return true;
    }
    const status: FinalExecutionStatus = plan.executionStatus;
    const hasTarget =
      reportChannels(config.data, settings.globalReportUrlSet).length > 0;
    // a run whose rules did not run reports what is open as still open: never a change
    const changes = groupDiscrepancyChanges(
      plan.executionStatus === "success" || plan.executionStatus === "partial"
        ? resolved
        : [],
    );
    const digest =
      config.data.report.digest !== undefined &&
      config.data.report.mode !== "none";
    const report =
      hasTarget &&
      (digest ||
        shouldSendReport(config.data.report.mode, {
          changes,
          findingsCount: plan.findings.length,
        }));
    // a success counts too: it ends a failure streak and may owe a recovery alert
    const alert =
      plan.trigger.kind === "finished" &&
      config.data.alert !== undefined &&
      classifyForAlerts(config.data.alert, status) !== null;
    return report || alert;
  };
}
