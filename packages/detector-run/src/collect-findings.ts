import { createHash } from "node:crypto";

import type { DetectorResult } from "@vigil/contracts";

import type { RecordedFinding, RuleSummary } from "./outcome.js";

/** fingerprint = sha256(ruleId + "\0" + key), the identity of a finding across runs. */
export function fingerprintOf(ruleId: string, key: string): string {
  return createHash("sha256").update(`${ruleId}\0${key}`).digest("hex");
}

export function collectFindings(result: DetectorResult): {
  findings: RecordedFinding[];
  rules: RuleSummary[];
} {
  const findings: RecordedFinding[] = [];
  const rules: RuleSummary[] = [];
  for (const rule of result.rules) {
    for (const f of rule.findings) {
      findings.push({
        ruleId: rule.ruleId,
        key: f.key,
        ...(f.row_key === undefined ? {} : { rowKey: f.row_key }),
        fingerprint: fingerprintOf(rule.ruleId, f.key),
        severity: f.severity,
        message: f.message,
        ...(f.data === undefined ? {} : { data: f.data }),
      });
    }
    rules.push({
      ruleId: rule.ruleId,
      definitionId: rule.definitionId,
      status: rule.status,
      durationMs: rule.durationMs,
      findings: rule.findings.length,
      ...(rule.findingsTruncated === undefined
        ? {}
        : { findingsTruncated: rule.findingsTruncated }),
      ...(rule.error ? { error: rule.error.message } : {}),
      ...(rule.error?.stack ? locationIn(rule.error.stack) : {}),
    });
  }
  return { findings, rules };
}

/**
 * The innermost stack frame in a rule file (`rules/01-<slug>.mjs`, which holds the rule's code
 * verbatim, so its lines are the code's lines); frames of the detector's runtime are skipped.
 */
const RULE_FRAME = /\/rules\/\d+-[^/:\s]*\.mjs:(\d+):(\d+)\)?$/m;

export function locationIn(
  stack: string,
): { line: number; column: number } | Record<string, never> {
  const m = RULE_FRAME.exec(stack);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : {};
}
