import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkRuleCode, MAX_RULE_CODE_BYTES } from "./check-rule-code.js";
import { makeWorkDir, removeWorkDirs } from "./testing/fixtures.js";

afterAll(removeWorkDirs);

describe("checkRuleCode", () => {
  it("accepts each supported way of exporting detect and lists the imports", () => {
    const forms = [
      "export function detect(rows) { return []; }",
      "export async function detect(rows) { return []; }",
      "export const detect = (rows) => [];",
      "function find() { return []; }\nexport { find as detect };",
    ];
    for (const code of forms) {
      expect(checkRuleCode("r", code)).toEqual({
        ok: true,
        imports: [],
        streams: false,
      });
      // the same forms for detectStream, alone or beside detect
      const streaming = code.replaceAll("detect", "detectStream");
      for (const form of [
        streaming,
        `${code}\n${streaming.replaceAll("find", "find2")}`,
      ]) {
        expect(checkRuleCode("r", form)).toEqual({
          ok: true,
          imports: [],
          streams: true,
        });
      }
    }
    expect(checkRuleCode("r", "export const detectStream = 5;")).toMatchObject({
      ok: false,
      errors: [
        { message: expect.stringMatching(/detectStream must be a function/) },
      ],
    });
    const withImports =
      'import { createHash } from "node:crypto";\nimport util from "util";\nexport const detect = async () => { await import("node:assert"); return []; };';
    expect(checkRuleCode("r", withImports)).toEqual({
      ok: true,
      imports: ["node:crypto", "util", "node:assert"],
      streams: false,
    });
  });

  it("reports a syntax error with the rule id, line and 1-based column", () => {
    const check = checkRuleCode(
      "amount-mismatch",
      "export function detect(rows) {\n  return rows.map(r => );\n}",
    );
    expect(check).toEqual({
      ok: false,
      errors: [
        {
          ruleId: "amount-mismatch",
          message:
            'rule "amount-mismatch" has a syntax error: Unexpected token',
          line: 2,
          column: 24,
        },
      ],
    });
  });

  it("names the rule and the package when rule code imports something detectors cannot load", () => {
    const check = checkRuleCode(
      "amount-mismatch",
      'import _ from "lodash";\nimport fs from "node:fs";\nexport function detect() { return []; }',
    );
    expect(check.ok).toBe(false);
    if (check.ok) {
      return;
    }
    expect(check.errors.map((e) => [e.line, e.column])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(check.errors[0]?.message).toMatch(
      /^rule "amount-mismatch" imports "lodash", which detectors cannot load \(allowed: node:assert, .*no packages \(an operator adds them with DETECTOR_PACKAGES\)\)$/,
    );
    expect(check.errors[1]?.message).toMatch(
      /^rule "amount-mismatch" imports "node:fs", which detectors cannot load/,
    );
  });

  it("rejects bare built-ins outside the allow-list, files, URLs, computed import() and require()", () => {
    const code = [
      'import cp from "child_process";',
      'import x from "./helper.mjs";',
      'import y from "data:text/javascript,export default 1";',
      "const name = 'node:net';",
      "export async function detect() { await import(name); require('fs'); return []; }",
    ].join("\n");
    const check = checkRuleCode("r", code);
    expect(check.ok).toBe(false);
    if (check.ok) {
      return;
    }
    const messages = check.errors.map((e) => e.message).join("\n");
    expect(messages).toContain(
      'imports "child_process", which detectors cannot load',
    );
    expect(messages).toContain(
      'imports "./helper.mjs": rule code cannot import files or URLs',
    );
    expect(messages).toContain(
      'imports "data:text/javascript,export default 1": rule code cannot import files or URLs',
    );
    expect(messages).toContain(
      "import() with a computed specifier cannot be checked",
    );
    expect(messages).toContain("require() is not available in rule modules");
  });

  it("accepts a package the operator listed only when it is installed where detectors resolve it", async () => {
    const workDir = await makeWorkDir();
    const nodeModulesDir = join(workDir, "node_modules");
    const code =
      'import Decimal from "decimal.js";\nexport function detect() { return []; }';
    const missing = checkRuleCode("r", code, {
      packages: { names: ["decimal.js"], nodeModulesDir },
    });
    expect(missing.ok === false && missing.errors[0]?.message).toBe(
      `rule "r" imports "decimal.js": package "decimal.js" is allowed but not installed in ${nodeModulesDir}`,
    );
    await mkdir(join(nodeModulesDir, "decimal.js"), { recursive: true });
    await writeFile(join(nodeModulesDir, "decimal.js", "package.json"), "{}");
    expect(
      checkRuleCode("r", code, {
        packages: { names: ["decimal.js"], nodeModulesDir },
      }),
    ).toEqual({
      ok: true,
      imports: ["decimal.js"],
      streams: false,
    });
  });

  it("requires an exported detect and says a default export is not used", () => {
    const check = checkRuleCode(
      "r",
      "export default function detect() { return []; }",
    );
    expect(check.ok).toBe(false);
    if (check.ok) {
      return;
    }
    expect(check.errors).toHaveLength(1);
    expect(check.errors[0]).toMatchObject({
      ruleId: "r",
      line: null,
      column: null,
    });
    expect(check.errors[0]?.message).toMatch(
      /must export a function named detect.*\(a default export is not used\)$/,
    );
  });

  it("refuses code larger than the size limit before parsing it", () => {
    const code = `export function detect() { return []; }\n//${"x".repeat(MAX_RULE_CODE_BYTES)}`;
    const check = checkRuleCode("big", code);
    expect(check.ok === false && check.errors[0]?.message).toMatch(
      /^rule "big" is \d+ bytes of code; the limit is 262144$/,
    );
  });
});
