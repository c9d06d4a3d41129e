import type { JsonValue, UpdateDiscrepanciesOptions } from "@vigil/db";

import type { RunOutcome } from "./outcome.js";

/** What a run tells `updateDiscrepancies`, less the project and execution it is recorded under. */
export type DiscrepancyInput = Omit<
  UpdateDiscrepanciesOptions,
  "projectId" | "executionId"
>;

/**
 * The evidence a run's outcome is about discrepancies, for the executor's record and for a dry
 * run's plan alike; null when the rules did not run (a crash, a timeout, a rejected detector),
 * which is evidence about nothing. Only rules that ran to the end can confirm or resolve.
 */
export function discrepancyInputOf(
  outcome: RunOutcome,
): DiscrepancyInput | null {
  if (outcome.kind !== "succeeded") {
    return null;
  }
  const evidence = outcome.details.evidence ?? {
    rowKeys: null,
    expireAfter: null,
  };
  return {
    seen: outcome.findings.map((f) => ({
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      findingKey: f.key,
      // in a project with a row key, a finding's key is its row's unless it says otherwise
      rowKey: f.rowKey ?? (evidence.rowKeys === null ? null : f.key),
      severity: f.severity,
      message: f.message,
      data: (f.data ?? null) as JsonValue,
    })),
    evaluatedRuleIds: outcome.rules
      .filter((r) => r.status === "ok")
      .map((r) => r.ruleId),
    // rules whose findings were cut at the cap: the run resolves none of their discrepancies
    truncatedRuleIds: outcome.rules
      .filter((r) => (r.findingsTruncated ?? 0) > 0)
      .map((r) => r.ruleId),
    rowKeys: evidence.rowKeys,
    expireAfter: evidence.expireAfter,
  };
}
