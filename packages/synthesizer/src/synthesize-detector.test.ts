import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type DetectorResult } from "@vigil/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { RuleCodeError } from "./check-rule-code.js";
import { synthesizeDetector } from "./synthesize-detector.js";
import {
  buildRule,
  makeWorkDir,
  removeWorkDirs,
  runDetectorProcess,
  writeRunFolder,
} from "./testing/fixtures.js";

afterAll(removeWorkDirs);

describe("synthesizeDetector", () => {
  it("renders a self-contained project that finds discrepancies when run by hand", async () => {
    const workDir = await makeWorkDir();
    const detector = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [buildRule()],
      dataSourceType: "sql",
    });
    expect(detector.cached).toBe(false);
    expect(detector.dir).toBe(join(workDir, "shop", detector.hash));
    expect((await readdir(detector.dir)).sort()).toEqual([
      "README.md",
      "main.mjs",
      "manifest.json",
      "package.json",
      "rules",
      "runtime",
    ]);
    expect(
      JSON.parse(await readFile(join(detector.dir, "package.json"), "utf8")),
    ).toMatchObject({
      type: "module",
      main: "main.mjs",
    });
    await writeRunFolder({
      workDir,
      projectId: "shop",
      executionId: "exec-1",
      rows: [
        { order_id: "A1", order_total: 10, paid: 9 },
        { order_id: "A2", order_total: 5, paid: 5 },
      ],
    });

    const run = await runDetectorProcess(detector.dir, "../runs/exec-1");

    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      rowCount: number;
      rules: Array<{ status: string; findings: unknown[] }>;
    };
    expect(result.rowCount).toBe(2);
    expect(result.rules[0]?.findings).toEqual([
      { key: "A1", message: "order A1 paid 9", severity: "high" },
    ]);
    expect(
      JSON.parse(
        await readFile(
          join(workDir, "shop", "runs", "exec-1", "result.json"),
          "utf8",
        ),
      ),
    ).toEqual(result);
  });

  it("reuses the folder without rendering for the same rules and renders a new one when a rule changes", async () => {
    const workDir = await makeWorkDir();
    const first = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [buildRule()],
      dataSourceType: "sql",
    });
    const mainBefore = await stat(join(first.dir, "main.mjs"));

    const again = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [buildRule()],
      dataSourceType: "sql",
    });
    const changed = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [buildRule({ parameters: { tolerance: 5 } })],
      dataSourceType: "sql",
    });

    expect(again).toEqual({ ...first, cached: true });
    expect((await stat(join(first.dir, "main.mjs"))).mtimeMs).toBe(
      mainBefore.mtimeMs,
    );
    expect(changed.cached).toBe(false);
    expect(changed.hash).not.toBe(first.hash);
  });

  it("leaves one complete folder when several synthesizers race on the same hash", async () => {
    const workDir = await makeWorkDir();
    const options = {
      workDir,
      projectId: "shop",
      rules: [buildRule()],
      dataSourceType: "sql",
    };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => synthesizeDetector(options)),
    );
    expect(new Set(results.map((r) => r.dir)).size).toBe(1);
    expect(await readdir(join(workDir, "shop"))).toEqual([results[0]?.hash]);
    expect(await readdir(join(results[0]?.dir ?? "", "rules"))).toEqual([
      "01-amount-mismatch.mjs",
    ]);
  });

  it("keeps rule text that looks like template syntax or a breakout inert", async () => {
    const workDir = await makeWorkDir();
    const hostile =
      "{{hash}} }} {{{x}}} {{#each}} ` ${process.exit(9)} </script> */ \\u0000 \" '";
    const code = `export function detect() {\n  return [{ key: "k", message: ${JSON.stringify(hostile)} }];\n}\n/* {{> partial}} */ // \`\n`;
    const rule = buildRule({
      ruleId: "{{ruleId}}`*/</script>",
      code,
      parameters: { note: "}}{{#if}}" },
      description: "{{description}}",
    });
    const detector = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [rule],
      dataSourceType: "sql",
    });
    const innocent = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [buildRule({ ruleId: "x" })],
      dataSourceType: "sql",
    });
    await writeRunFolder({
      workDir,
      projectId: "shop",
      executionId: "e",
      rows: [],
    });

    const run = await runDetectorProcess(detector.dir, "../runs/e");

    expect(
      await readFile(
        join(detector.dir, "rules", "01-ruleid-script.mjs"),
        "utf8",
      ),
    ).toBe(code);
    const manifest = JSON.parse(
      await readFile(join(detector.dir, "manifest.json"), "utf8"),
    ) as { rules: unknown[] };
    expect(manifest.rules[0]).toMatchObject({
      ruleId: rule.ruleId,
      parameters: rule.parameters,
      description: rule.description,
    });
    const mainOf = async (dir: string, hash: string) =>
      (await readFile(join(dir, "main.mjs"), "utf8")).replaceAll(hash, "HASH");
    expect(await mainOf(detector.dir, detector.hash)).toBe(
      await mainOf(innocent.dir, innocent.hash),
    );
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as DetectorResult).rules[0]).toMatchObject({
      ruleId: rule.ruleId,
      status: "ok",
      findings: [{ key: "k", message: hostile }],
    });
  });

  it("refuses rules that fail the code check before writing anything", async () => {
    const workDir = await makeWorkDir();
    const rules = [
      buildRule({ ruleId: "bad-syntax", code: "export function detect( {" }),
      buildRule({
        ruleId: "uses-lodash",
        code: 'import _ from "lodash";\nexport const detect = () => [];',
      }),
    ];
    const error = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules,
      dataSourceType: "sql",
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RuleCodeError);
    expect(
      (error as RuleCodeError).errors.map((e) => [e.ruleId, e.line]),
    ).toEqual([
      ["bad-syntax", 1],
      ["uses-lodash", 1],
    ]);
    expect((error as RuleCodeError).message).toContain(
      'rule "uses-lodash" imports "lodash", which detectors cannot load',
    );
    expect(await readdir(workDir)).toEqual([]);
  });

  it("refuses a project id that is not a plain folder name", async () => {
    const workDir = await makeWorkDir();
    await expect(
      synthesizeDetector({
        workDir,
        projectId: "../escape",
        rules: [buildRule()],
        dataSourceType: "sql",
      }),
    ).rejects.toThrow("cannot be a folder name");
  });
});
