import { describe, expect, it } from "vitest";
import { computeDetectorHash } from "./detector-hash.js";
import { ruleFileName } from "./rule-file-name.js";
import { buildRule } from "./testing/fixtures.js";

const digest = "0".repeat(64);
const hashOf = (
  rules = [buildRule()],
  dataSourceType = "sql",
  templates = digest,
) => computeDetectorHash({ rules, dataSourceType }, templates);

describe("computeDetectorHash", () => {
  it("does not depend on rule order or parameter key order", () => {
    const a = buildRule({
      ruleId: "a",
      parameters: { x: 1, y: { p: 1, q: 2 } },
    });
    const b = buildRule({ ruleId: "b" });
    const aReordered = buildRule({
      ruleId: "a",
      parameters: { y: { q: 2, p: 1 }, x: 1 },
    });
    expect(hashOf([a, b])).toBe(hashOf([b, aReordered]));
    expect(hashOf([a, b])).toMatch(/^[0-9a-f]{32}$/);
  });

  it("changes with the code, parameters, severity, metadata, data source type and templates", () => {
    const base = hashOf();
    const variants = [
      hashOf([buildRule({ code: "export const detect = () => [];" })]),
      hashOf([buildRule({ parameters: { tolerance: 0.02 } })]),
      hashOf([buildRule({ severity: "low" })]),
      hashOf([buildRule({ definitionId: "def-1" })]),
      hashOf([buildRule({ category: "other" })]),
      hashOf([buildRule({ description: "other" })]),
      hashOf(undefined, "http"),
      hashOf(undefined, "sql", "1".repeat(64)),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("refuses two rules with the same id", () => {
    expect(() => hashOf([buildRule(), buildRule()])).toThrow(
      'rule id "amount-mismatch" appears twice',
    );
  });
});

describe("ruleFileName", () => {
  it("makes a numbered, safe file name whatever the rule id holds", () => {
    expect(ruleFileName(0, "Amount Mismatch!")).toBe(
      "rules/01-amount-mismatch.mjs",
    );
    expect(ruleFileName(11, "../../etc/passwd")).toBe(
      "rules/12-etc-passwd.mjs",
    );
    expect(ruleFileName(2, "{{#each}}`*/</script>")).toBe(
      "rules/03-each-script.mjs",
    );
    expect(ruleFileName(3, "日本")).toBe("rules/04-rule.mjs");
  });
});
