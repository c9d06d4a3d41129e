import type { DryRunPlan } from "@vigil/contracts";
import type { DiscrepancyTransition } from "@vigil/db";
import { assertNever } from "@vigil/detector-run";

type Entry = DryRunPlan["would_open"][number];

/** How the plan's input relates to what a real run would read. */
export interface PlanScope {
  sample: boolean;
  /** The project names a row key (`data_source.key`). */
  keyed: boolean;
}

/**
 * The executor's transitions, grouped as a plan: new -> would_open; reopened and unmuted ->
 * would_reopen; resolved and expired -> would_resolve; still_open and escalated -> unchanged
 * (escalation kept visible on the entry).
 */
export function planOf(
  transitions: readonly DiscrepancyTransition[],
  scope: PlanScope,
): DryRunPlan {
  const plan: DryRunPlan = {
    scope: scope.sample ? "sample" : "source",
    note: scope.sample ? sampleNote(scope.keyed) : null,
    resolutions_planned: !scope.sample || scope.keyed,
    would_open: [],
    would_reopen: [],
    would_resolve: [],
    unchanged: [],
  };
  for (const t of transitions) {
    const entry: Entry = {
      fingerprint: t.fingerprint,
      rule_id: t.ruleId,
      finding_key: t.findingKey,
      change: t.change,
      status: t.status,
      previous_status: t.previousStatus,
      severity: t.severity,
      previous_severity: t.previousSeverity,
      escalated: t.change === "escalated",
      message: t.message,
    };
    switch (t.change) {
      case "new":
        plan.would_open.push(entry);
        break;
      case "reopened":
      case "unmuted":
        plan.would_reopen.push(entry);
        break;
      case "resolved":
      case "expired":
        plan.would_resolve.push(entry);
        break;
      case "still_open":
      case "escalated":
        plan.unchanged.push(entry);
        break;
      default:
        assertNever(t.change);
    }
  }
  return plan;
}

function sampleNote(keyed: boolean): string {
  return keyed
    ? "a sample of rows: only discrepancies of the rows given can be opened, kept or resolved; nothing is said about rows not given, and none expires"
    : "a sample of rows of a project with no data_source.key: rows cannot be told apart, so no resolution is planned; only what the sample flags is said";
}
