import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import { readTemplateSet, TEMPLATE_VERSION } from "./template-files.js";
import type { RuleSource } from "./types.js";

export interface DetectorSpec {
  rules: readonly RuleSource[];
  /** The data source's type only (`sql`, `http`, `manual`): the shape of the input, never its config or secrets. */
  dataSourceType: string;
}

/** Rules in ruleId order, so the hash and the file numbering do not depend on query order. */
export function sortRules(rules: readonly RuleSource[]): RuleSource[] {
  const sorted = [...rules].sort((a, b) =>
    a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0,
  );
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.ruleId === sorted[i - 1]?.ruleId) {
      throw new Error(
        `rule id ${JSON.stringify(sorted[i]?.ruleId)} appears twice`,
      );
    }
  }
  return sorted;
}

/** The hash from an already-read template digest (sync; see `detectorHash`). 32 hex characters (128 bits). */
export function computeDetectorHash(
  spec: DetectorSpec,
  templateDigest: string,
): string {
  const rules = sortRules(spec.rules).map((rule) => ({
    ruleId: rule.ruleId,
    definitionId: rule.definitionId,
    code: rule.code,
    parameters: rule.parameters,
    severity: rule.severity,
    category: rule.category,
    description: rule.description,
  }));
  const input = canonicalJson({
    templateVersion: TEMPLATE_VERSION,
    templateDigest,
    dataSourceType: spec.dataSourceType,
    rules,
  });
  return createHash("sha256").update(input).digest("hex").slice(0, 32);
}

/**
 * The detector folder's name: covers TEMPLATE_VERSION, every template file's content, each
 * rule (id, definition id, code, parameters, severity, category, description) and the data
 * source type. Same inputs, same hash, same folder.
 */
export async function detectorHash(spec: DetectorSpec): Promise<string> {
  const templates = await readTemplateSet();
  return computeDetectorHash(spec, templates.digest);
}
