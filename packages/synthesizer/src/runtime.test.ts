import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthesizeDetector } from "./synthesize-detector.js";
import {
  buildRule,
  makeWorkDir,
  removeWorkDirs,
  newNonce,
  permissionFlags,
  runDetectorProcess,
  writeRunFolder,
} from "./testing/fixtures.js";
import type { RuleSource } from "./types.js";
import { verifyDetectorResult } from "./verify-detector-result.js";

afterAll(removeWorkDirs);

const rows = [
  { order_id: 1, order_total: 10, paid: 9 },
  { order_id: 2, order_total: 10, paid: 10 },
];

/** One detector per test, run through the executor's path: nonce on stdin, signed result on fd 3. */
async function runRules(
  rules: RuleSource[],
  folder: { maxFindingsPerRule?: unknown } = {},
) {
  const workDir = await makeWorkDir();
  const detector = await synthesizeDetector({
    workDir,
    projectId: "p",
    rules,
    dataSourceType: "manual",
  });
  const runDir = await writeRunFolder({
    workDir,
    projectId: "p",
    executionId: "e1",
    rows,
    ...folder,
  });
  const nonce = newNonce();
  const run = await runDetectorProcess(detector.dir, runDir, nonce);
  const verified = verifyDetectorResult(run.fd3, nonce);
  if (!verified.ok) {
    throw new Error(`${verified.message}; stderr: ${run.stderr}`);
  }
  const body = verified.result;
  const byId = new Map(body.rules.map((r) => [r.ruleId, r]));
  return {
    run,
    body,
    nonce,
    workDir,
    detector,
    rule: (id: string) => byId.get(id),
  };
}

const rule = (
  ruleId: string,
  code: string,
  overrides: Partial<RuleSource> = {},
) => buildRule({ ruleId, code, ...overrides });

describe("the detector runtime", () => {
  it("writes one signed result to fd 3 that verifies with the nonce, and nothing to stdout", async () => {
    const { run, body } = await runRules([buildRule()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.fd3.trim().split("\n")).toHaveLength(1);
    expect(body).toMatchObject({
      v: 1,
      rowCount: 2,
      rules: [
        {
          ruleId: "amount-mismatch",
          definitionId: null,
          status: "ok",
          findings: [{ key: "1", message: "order 1 paid 9", severity: "high" }],
        },
      ],
    });
    expect(verifyDetectorResult(run.fd3, newNonce())).toEqual({
      ok: false,
      message:
        "the detector's result channel held 1 line(s) and no line with a valid mac",
    });
  });

  it("calls detectStream with an async iterable of the frozen rows, and marks it in the manifest", async () => {
    const code = `export async function detectStream(rows, params, ctx) {
  const seen = [];
  for await (const row of rows) seen.push(row.order_id + (Object.isFrozen(row) ? "f" : ""));
  return [{ key: "seen", message: seen.join(",") + " " + ctx.rule.ruleId }];
}`;
    const { run, body, detector } = await runRules([rule("streamer", code)]);
    expect(run.code).toBe(0);
    expect(body).toMatchObject({
      rowCount: 2,
      rules: [{ status: "ok", findings: [{ message: "1f,2f streamer" }] }],
    });
    const manifest = JSON.parse(
      await readFile(join(detector.dir, "manifest.json"), "utf8"),
    ) as { rules: { stream?: boolean }[] };
    expect(manifest.rules[0]?.stream).toBe(true);
  });

  it("fails the run (exit 2) on a bad rows.ndjson line met while a detectStream rule reads", async () => {
    const workDir = await makeWorkDir();
    const detector = await synthesizeDetector({
      workDir,
      projectId: "p",
      rules: [
        rule(
          "streamer",
          "export async function detectStream(rows) { try { for await (const r of rows); } catch {} return []; }",
        ),
      ],
      dataSourceType: "manual",
    });
    const runDir = await writeRunFolder({
      workDir,
      projectId: "p",
      executionId: "e1",
      rows,
    });
    await writeFile(join(runDir, "rows.ndjson"), '{"a":1}\n{"a":\n');
    const run = await runDetectorProcess(detector.dir, runDir, newNonce());
    expect(run.code).toBe(2);
    expect(run.fd3).toBe("");
    expect(run.stderr).toMatch(/rows\.ndjson line 2 is not valid JSON/);
  });

  it("runs under Node's permission model with read access to its folders and write access to the run folder only", async () => {
    const workDir = await makeWorkDir();
    const code = `export function detect(rows) {
  const fs = process.getBuiltinModule("node:fs");
  const attempt = (f) => { try { f(); return "allowed"; } catch (err) { return err.code; } };
  return [{ key: "fs", message: "probe", data: { readEtc: attempt(() => fs.readFileSync("/etc/hostname")), writeTmp: attempt(() => fs.writeFileSync("/tmp/vigil-probe", "x")) } }];
}`;
    const detector = await synthesizeDetector({
      workDir,
      projectId: "p",
      rules: [buildRule(), rule("probe", code)],
      dataSourceType: "sql",
    });
    const runDir = await writeRunFolder({
      workDir,
      projectId: "p",
      executionId: "e1",
      rows,
    });
    const nonce = newNonce();

    const run = await runDetectorProcess(
      detector.dir,
      runDir,
      nonce,
      permissionFlags(detector.dir, runDir),
    );

    const verified = verifyDetectorResult(run.fd3, nonce);
    expect(verified.ok).toBe(true);
    if (!verified.ok) {
      return;
    }
    expect(
      verified.result.rules.map((r) => [r.ruleId, r.status, r.findings.length]),
    ).toEqual([
      ["amount-mismatch", "ok", 1],
      ["probe", "ok", 1],
    ]);
    expect(verified.result.rules[1]?.findings[0]?.data).toEqual({
      readEtc: "ERR_ACCESS_DENIED",
      writeTmp: "ERR_ACCESS_DENIED",
    });
  });

  describe("with rules that fail", () => {
    let results: Awaited<ReturnType<typeof runRules>>;
    beforeAll(async () => {
      results = await runRules([
        rule(
          "throws",
          'export function detect() { throw new TypeError("no total"); }',
        ),
        rule(
          "rejects",
          'export async function detect() { await null; throw "plain string"; }',
        ),
        rule("returns-undefined", "export function detect() {}"),
        rule(
          "returns-object",
          "export function detect() { return { key: 1, message: 'x' }; }",
        ),
        rule("bad-item", "export function detect() { return [42]; }"),
        rule(
          "no-key",
          "export function detect() { return [{ message: 'm' }]; }",
        ),
        rule(
          "nan-key",
          "export function detect() { return [{ key: NaN, message: 'm' }]; }",
        ),
        rule(
          "repeated-key",
          "export function detect() { return [{ key: 1, message: 'a' }, { key: '1', message: 'b' }]; }",
        ),
        rule(
          "bad-severity",
          "export function detect() { return [{ key: 1, message: 'm', severity: 'urgent' }]; }",
        ),
        rule(
          "circular-data",
          "export function detect() { const d = {}; d.d = d; return [{ key: 1, message: 'm', data: d }]; }",
        ),
        rule(
          "too-many",
          "export function detect() { return Array.from({ length: 10001 }, (_, i) => ({ key: i, message: 'm' })); }",
        ),
        rule("not-a-function", "export const detect = Number.parseInt('42');"),
        rule(
          "mutates-rows",
          "export function detect(rows) { rows[0].paid = 10; return []; }",
        ),
        rule(
          "zx-row-keys",
          "export function detect() { return [{ row_key: 1007, message: 'a' }, { key: '1015:p-9', row_key: '1015', message: 'b' }]; }",
        ),
        rule(
          "zy-bad-row-key",
          "export function detect() { return [{ key: 'k', row_key: {}, message: 'm' }]; }",
        ),
        rule(
          "zz-still-runs",
          "export function detect(rows) { return [{ key: 'last', message: String(rows[0].paid) }]; }",
        ),
      ]);
    });

    it("keeps the first 10000 findings of a rule that returns more when the run folder names no cap, and counts the rest", () => {
      const tooMany = results.rule("too-many");
      expect(tooMany).toMatchObject({ status: "ok", findingsTruncated: 1 });
      expect(tooMany?.findings).toHaveLength(10_000);
      expect(tooMany?.findings.at(-1)?.key).toBe("9999");
      expect(results.rule("zz-still-runs")).not.toHaveProperty(
        "findingsTruncated",
      );
    });

    it("fails only the rule that throws or rejects and still runs the others", () => {
      expect(results.run.code).toBe(0);
      expect(results.rule("throws")).toMatchObject({
        status: "error",
        error: { message: "no total" },
        findings: [],
      });
      expect(results.rule("throws")?.error?.stack).toContain("rules/");
      expect(results.rule("throws")?.error?.stack).not.toContain("runtime/");
      expect(results.rule("rejects")).toMatchObject({
        status: "error",
        error: { message: "plain string" },
      });
      expect(results.rule("zz-still-runs")).toMatchObject({
        status: "ok",
        findings: [{ key: "last", message: "9" }],
      });
    });

    it("takes a finding's row_key as its key when it has none, and keeps both when it has", () => {
      expect(results.rule("zx-row-keys")).toMatchObject({
        status: "ok",
        findings: [
          { key: "1007", row_key: "1007", message: "a" },
          { key: "1015:p-9", row_key: "1015", message: "b" },
        ],
      });
      expect(results.rule("zy-bad-row-key")?.error?.message).toBe(
        "finding [0] row_key: key must be a non-empty string or a finite number, got an object",
      );
    });

    it("fails a rule that returns garbage with a message naming what is wrong", () => {
      const messageOf = (id: string) => results.rule(id)?.error?.message;
      expect(messageOf("returns-undefined")).toBe(
        "detect must return an array of findings, got undefined",
      );
      expect(messageOf("returns-object")).toBe(
        "detect must return an array of findings, got an object",
      );
      expect(messageOf("bad-item")).toBe(
        "finding [0] must be an object { key, message }, got number 42",
      );
      expect(messageOf("no-key")).toBe(
        "finding [0]: key must be a non-empty string or a finite number, got undefined",
      );
      expect(messageOf("nan-key")).toBe(
        "finding [0]: key must be a non-empty string or a finite number, got number NaN",
      );
      expect(messageOf("repeated-key")).toBe(
        'finding [1]: key "1" is repeated; keys must be unique within a rule',
      );
      expect(messageOf("bad-severity")).toBe(
        'finding [0]: severity must be one of info, low, medium, high, critical; got string "urgent"',
      );
      expect(messageOf("circular-data")).toMatch(
        /^finding \[0\]: data is not JSON-serializable \(Converting circular structure/,
      );
      expect(messageOf("not-a-function")).toBe(
        'rule "not-a-function" (rules/07-not-a-function.mjs) exports detect as a number, not a function',
      );
      expect(messageOf("mutates-rows")).toMatch(/read only property 'paid'/);
    });
  });

  it("keeps the first max_findings_per_rule findings of each rule, counts the dropped ones without checking them, and names each rule in running-rule as it starts", async () => {
    const {
      body,
      rule: resultOf,
      run,
    } = await runRules(
      [
        rule(
          "a-over",
          "export function detect() { return [{ key: 'k0', message: 'm' }, { key: 'k1', message: 'm' }, { key: 'k2', message: 'm' }, { key: 'k2', message: 'repeated, but dropped' }, 42]; }",
        ),
        rule(
          "b-at-cap",
          "export function detect() { return [1, 2, 3].map((i) => ({ key: i, message: 'm' })); }",
        ),
        rule(
          "c-bad-within-cap",
          "export function detect() { return [{ key: 'x', message: 'm' }, { message: 'no key' }, { key: 'y', message: 'm' }, { key: 'z', message: 'm' }]; }",
        ),
      ],
      { maxFindingsPerRule: 3 },
    );
    expect(resultOf("a-over")).toMatchObject({
      status: "ok",
      findingsTruncated: 2,
      findings: [{ key: "k0" }, { key: "k1" }, { key: "k2" }],
    });
    expect(resultOf("a-over")?.findings).toHaveLength(3);
    expect(resultOf("b-at-cap")?.findings).toHaveLength(3);
    expect(resultOf("b-at-cap")).not.toHaveProperty("findingsTruncated");
    // the cap drops findings; it does not excuse a bad one among those kept
    expect(resultOf("c-bad-within-cap")).toMatchObject({
      status: "error",
      error: {
        message:
          "finding [1]: key must be a non-empty string or a finite number, got undefined",
      },
    });
    expect(body.rules.map((r) => r.ruleId)).toEqual([
      "a-over",
      "b-at-cap",
      "c-bad-within-cap",
    ]);
    expect(run.stderr).toContain(
      "3 rule(s), 1 failed, 6 finding(s) (2 more past the per-rule cap, dropped)",
    );
  });

  it("names the rule it is starting in the run folder's running-rule file, the last one last", async () => {
    const { workDir } = await runRules([
      rule("first", "export function detect() { return []; }"),
      rule("second", "export function detect() { return []; }"),
    ]);
    const runDir = join(workDir, "p", "runs", "e1");
    expect(await readFile(join(runDir, "running-rule"), "utf8")).toBe(
      '"second"\n',
    );
  });

  it("hands detect frozen rows and params, ctx with Date window and rule metadata, and normalizes findings", async () => {
    const code = `export async function detect(rows, params, ctx) {
  return [{ key: 7, message: "x".repeat(5000), data: { isDate: ctx.window.start instanceof Date, start: ctx.window.start.toISOString(),
    frozen: Object.isFrozen(rows) && Object.isFrozen(rows[0]) && Object.isFrozen(params), params, ctx: { ...ctx, window: undefined } } }];
}`;
    const { rule: resultOf } = await runRules([
      rule("ctx", code, {
        definitionId: "def-9",
        severity: "low",
        parameters: { limit: 3 },
      }),
    ]);
    const finding = resultOf("ctx")?.findings[0];
    expect(finding?.key).toBe("7");
    expect(finding?.severity).toBe("low");
    const note = "… (truncated from 5000 characters)";
    expect(finding?.message).toBe(`${"x".repeat(4096 - note.length)}${note}`);
    expect(finding?.data).toEqual({
      isDate: true,
      start: "2026-11-21T10:00:00.000Z",
      frozen: true,
      params: { limit: 3 },
      ctx: {
        projectId: "p",
        executionId: "e1",
        rule: {
          ruleId: "ctx",
          definitionId: "def-9",
          severity: "low",
          category: "payments",
          description: "paid amount differs from the order total",
        },
      },
    });
  });

  it("cannot be forged by a rule that prints a fake result, writes to fd 3 or reads stdin", async () => {
    const fake = JSON.stringify({
      v: 1,
      mac: "0".repeat(64),
      body: JSON.stringify({ v: 1, rules: [] }),
    });
    const code = `export function detect() {
  const fs = process.getBuiltinModule("node:fs");
  console.log(${JSON.stringify(fake)});
  fs.writeSync(3, ${JSON.stringify(`${fake}\n`)});
  let stdin;
  try { stdin = fs.readFileSync(0, "utf8"); } catch (err) { stdin = err.code; }
  return [{ key: "stdin", message: JSON.stringify(stdin) }];
}`;
    const workDir = await makeWorkDir();
    const detector = await synthesizeDetector({
      workDir,
      projectId: "p",
      rules: [rule("forger", code)],
      dataSourceType: "manual",
    });
    const runDir = await writeRunFolder({
      workDir,
      projectId: "p",
      executionId: "e1",
      rows,
    });
    const nonce = newNonce();

    const run = await runDetectorProcess(detector.dir, runDir, nonce);

    const [forged, genuine] = run.fd3.trim().split("\n");
    expect(run.stdout).toContain(fake);
    expect(forged).toBe(fake);
    const forgedAlone = verifyDetectorResult(forged ?? "", nonce);
    expect(forgedAlone.ok === false && forgedAlone.message).toContain(
      "no line with a valid mac",
    );
    expect(genuine).not.toBe(fake);
    // Lines without a valid mac are ignored: the runtime's own line is the result.
    const verified = verifyDetectorResult(run.fd3, nonce);
    expect(verified.ok).toBe(true);
    const message = verified.ok
      ? verified.result.rules[0]?.findings[0]?.message
      : "";
    expect(message).toBe(JSON.stringify(""));
    expect(message).not.toContain(nonce);
  });

  it("keeps the nonce out of a heap snapshot taken while rule code runs", async () => {
    // Rule code cannot take one itself (node:v8 is refused); Node writes one on SIGUSR2 here,
    // which is what a rule that got hold of v8 would have seen.
    const marker = "5e".repeat(32);
    const code = `export async function detect() {
  const marker = "${marker}";
  process.kill(process.pid, "SIGUSR2");
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return [{ key: "m", message: marker }];
}`;
    const workDir = await makeWorkDir();
    const detector = await synthesizeDetector({
      workDir,
      projectId: "p",
      rules: [rule("snapshot", code)],
      dataSourceType: "manual",
    });
    const runDir = await writeRunFolder({ workDir, projectId: "p", rows });
    const nonce = newNonce();
    const run = await runDetectorProcess(detector.dir, runDir, nonce, [
      "--heapsnapshot-signal=SIGUSR2",
    ]);
    expect(verifyDetectorResult(run.fd3, nonce).ok).toBe(true);
    const [file] = (await readdir(detector.dir)).filter((f) =>
      f.endsWith(".heapsnapshot"),
    );
    const snapshot = await readFile(
      join(detector.dir, file ?? "none"),
      "latin1",
    );
    // The snapshot does show a 64-hex string that is held as a string (the rule's own marker).
    expect(snapshot).toContain(marker);
    expect(snapshot).not.toContain(nonce);
  });

  it("signs the runtime's own document even after a rule replaced JSON, Date and prototype methods", async () => {
    const code = `export function detect() {
  JSON.stringify = () => '{"forged":true}';
  Object.prototype.toJSON = function () { return "forged"; };
  Array.prototype.toJSON = function () { return "forged"; };
  Date.prototype.toISOString = () => "forged";
  String.prototype.slice = () => "forged";
  return [{ key: "k", message: "patched" }];
}`;
    const { body, run } = await runRules([rule("patcher", code)]);
    expect(run.code).toBe(0);
    expect(body).toMatchObject({
      v: 1,
      rowCount: 2,
      rules: [
        {
          ruleId: "patcher",
          status: "ok",
          findings: [{ key: "k", message: "patched", severity: "high" }],
        },
      ],
    });
    expect(body.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("exits as soon as the result is written even if a rule left a timer running", async () => {
    const started = Date.now();
    const { run } = await runRules([
      rule(
        "timer",
        "export function detect() { setInterval(() => {}, 1000); return []; }",
      ),
    ]);
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("exits with code 2 and a clear message when the run folder is unusable", async () => {
    const workDir = await makeWorkDir();
    const detector = await synthesizeDetector({
      workDir,
      projectId: "p",
      rules: [buildRule()],
      dataSourceType: "manual",
    });
    const runDir = await writeRunFolder({
      workDir,
      projectId: "p",
      executionId: "bad",
      rows: [],
    });
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(join(runDir, "rows.ndjson"), '{"a":1}\n[1,2]\n'),
    );

    const broken = await runDetectorProcess(detector.dir, runDir);
    const missing = await runDetectorProcess(
      detector.dir,
      join(workDir, "p", "runs", "nope"),
    );

    expect(broken).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "vigil detector: rows.ndjson line 2 is not a JSON object\n",
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^vigil detector: cannot read context.json \(.*nope\/context.json\): ENOENT\n$/,
    );
    await expect(readFile(join(runDir, "result.json"))).rejects.toThrow(
      "ENOENT",
    );
    const badCap = await writeRunFolder({
      workDir,
      projectId: "p",
      executionId: "bad-cap",
      rows: [],
      maxFindingsPerRule: 0,
    });
    expect(await runDetectorProcess(detector.dir, badCap)).toMatchObject({
      code: 2,
      stderr:
        "vigil detector: context.json: maxFindingsPerRule must be a positive integer, got 0\n",
    });
  });
});
