import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRuleCode } from "./check-rule-code.js";
import { synthesizeDetector } from "./synthesize-detector.js";
import {
  buildRule,
  makeWorkDir,
  newNonce,
  permissionFlags,
  removeWorkDirs,
  runDetectorProcess,
  writeRunFolder,
} from "./testing/fixtures.js";
import type { RuleSource } from "./types.js";
import { verifyDetectorResult } from "./verify-detector-result.js";

afterAll(removeWorkDirs);

const rule = (ruleId: string, code: string): RuleSource =>
  buildRule({ ruleId, code });

// Each rule gets past the synthesizer's static check; what stops it is the runtime.
const HOSTILE: RuleSource[] = [
  rule(
    "function-import-net",
    "export async function detect() { return await new Function('s', 'return import(s)')('net'); }",
  ),
  rule(
    "eval-import-child-process",
    "export async function detect() { return await eval(\"import('node:child_process')\"); }",
  ),
  rule(
    "async-function-import",
    "const AsyncFunction = (async () => {}).constructor;\nexport async function detect() { return await new AsyncFunction('return import(\"node:worker_threads\")')(); }",
  ),
  rule(
    "top-level-function-import",
    "const net = await new Function('return import(\"node:net\")')();\nexport function detect() { return [{ key: 1, message: typeof net }]; }",
  ),
  rule(
    "fetch",
    "export async function detect() { await fetch('http://127.0.0.1:9/'); return []; }",
  ),
  rule(
    "unhandled-rejection",
    "export function detect() { Promise.reject(new Error('nobody catches this')); return new Promise((r) => setTimeout(() => r([]), 50)); }",
  ),
  rule(
    "uncaught-exception",
    "export function detect() { setTimeout(() => { throw new Error('thrown from a timer'); }, 0); return new Promise((r) => setTimeout(() => r([]), 50)); }",
  ),
  rule(
    "process-binding",
    "export function detect() { return process.binding('tcp_wrap'); }",
  ),
  rule(
    "restores-binding",
    "export function detect() { delete process.binding; process.binding = () => 1; return []; }",
  ),
  rule(
    "get-builtin-net",
    "const net = process.getBuiltinModule('node:net');\nexport function detect() { return [{ key: 1, message: typeof net }]; }",
  ),
  rule(
    "get-builtin-module",
    "export function detect() { return process.getBuiltinModule('module').createRequire(import.meta.url)('net'); }",
  ),
  rule(
    "get-builtin-vm",
    "export function detect() { return process.getBuiltinModule('vm').runInThisContext('1'); }",
  ),
  rule(
    "restores-get-builtin",
    "export function detect() { process.getBuiltinModule = () => 1; return []; }",
  ),
  rule(
    "stdio-sockets",
    "export function detect() {\n  console.log('from console.log');\n  process.stdout.write('from process.stdout\\n');\n  return [{ key: 'stdio', message: 'probe', data: { stdout: typeof process.stdout.constructor, console: typeof console._stdout.constructor, stdin: typeof process.stdin, fs: typeof process.getBuiltinModule('node:fs').readFileSync } }];\n}",
  ),
  rule(
    "top-level-await-forever",
    "await new Promise(() => {});\nexport function detect() { return []; }",
  ),
  rule(
    "detect-never-settles",
    "export function detect() { return new Promise(() => {}); }",
  ),
  rule(
    "zz-honest",
    "export function detect(rows) { return [{ key: 'last', message: String(rows.length) }]; }",
  ),
];

describe("the runtime's guards on rule code (under the runner's Node flags)", () => {
  let result: {
    code: number | null;
    stderr: string;
    stdout: string;
    data: Map<string, unknown>;
    rules: Map<string, { status: string; message?: string; findings: number }>;
  };

  beforeAll(async () => {
    const workDir = await makeWorkDir();
    const detector = await synthesizeDetector({
      workDir,
      projectId: "p",
      rules: HOSTILE,
      dataSourceType: "manual",
    });
    const runDir = await writeRunFolder({
      workDir,
      projectId: "p",
      executionId: "e1",
      rows: [{ id: 1 }, { id: 2 }],
    });
    const nonce = newNonce();
    const run = await runDetectorProcess(
      detector.dir,
      runDir,
      nonce,
      permissionFlags(detector.dir, runDir),
    );
    const verified = verifyDetectorResult(run.fd3, nonce);
    if (!verified.ok) {
      throw new Error(`${verified.message}; stderr: ${run.stderr}`);
    }
    result = {
      code: run.code,
      stderr: run.stderr,
      stdout: run.stdout,
      data: new Map(
        verified.result.rules.map((r) => [r.ruleId, r.findings[0]?.data]),
      ),
      rules: new Map(
        verified.result.rules.map((r) => [
          r.ruleId,
          {
            status: r.status,
            message: r.error?.message,
            findings: r.findings.length,
          },
        ]),
      ),
    };
  }, 20_000);

  const messageOf = (ruleId: string) => {
    const entry = result.rules.get(ruleId);
    expect(entry?.status, ruleId).toBe("error");
    return entry?.message;
  };

  it("refuses import() built from strings (new Function, eval, AsyncFunction), in detect and at the top level", () => {
    for (const id of [
      "function-import-net",
      "eval-import-child-process",
      "async-function-import",
      "top-level-function-import",
    ]) {
      expect(messageOf(id), id).toMatch(
        /^rule code cannot build code from strings \(eval, new Function/,
      );
    }
  });

  it("fetch fails the rule without a request; process.binding is gone and cannot be put back", () => {
    expect(messageOf("fetch")).toBe(
      "fetch: network access is not available to rules",
    );
    expect(messageOf("process-binding")).toBe(
      "process.binding: not available to rules",
    );
    expect(messageOf("restores-binding")).toMatch(
      /Cannot delete property 'binding'/,
    );
  });

  it("process.getBuiltinModule refuses what the permission model does not confine, and stays so", () => {
    expect(messageOf("get-builtin-net")).toBe(
      'process.getBuiltinModule("node:net"): module "net" is not available to rules',
    );
    expect(messageOf("get-builtin-module")).toBe(
      'process.getBuiltinModule("module"): module "module" is not available to rules',
    );
    expect(messageOf("get-builtin-vm")).toBe(
      'process.getBuiltinModule("vm"): module "vm" is not available to rules',
    );
    expect(messageOf("restores-get-builtin")).toMatch(
      /Cannot assign to read only property 'getBuiltinModule'/,
    );
  });

  it("stdio is write-only stand-ins with no socket behind them; console and stdout writes still arrive", () => {
    expect(result.rules.get("stdio-sockets")?.status).toBe("ok");
    expect(result.data.get("stdio-sockets")).toEqual({
      stdout: "undefined",
      console: "undefined",
      stdin: "undefined",
      fs: "function",
    });
    expect(result.stdout).toBe("from console.log\nfrom process.stdout\n");
  });

  it("an unhandled rejection or an exception from a timer fails the rule that ran, not the detector", () => {
    expect(messageOf("unhandled-rejection")).toBe(
      "an unhandled promise rejection: nobody catches this",
    );
    expect(messageOf("uncaught-exception")).toBe(
      "an exception thrown outside detect()'s call: thrown from a timer",
    );
  });

  it("a top-level await or a detect() promise that nothing can settle fails that rule, naming it", () => {
    expect(messageOf("top-level-await-forever")).toBe(
      'rule "top-level-await-forever" never finished loading: its module\'s top-level await waits on a promise that nothing can settle',
    );
    expect(messageOf("detect-never-settles")).toBe(
      'rule "detect-never-settles": detect() returned a promise that nothing can settle',
    );
  });

  it("still runs the other rules and exits 0 with a signed result", () => {
    expect(result.code).toBe(0);
    expect(result.rules.get("zz-honest")).toEqual({
      status: "ok",
      message: undefined,
      findings: 1,
    });
    expect(result.stderr).toContain('running rule "zz-honest"');
  });
});

describe("checkRuleCode on detect exports that can never be called", () => {
  it.each([
    ["export const detect = 1;", "a literal"],
    ["export const detect = `x`;", "a string"],
    ["export const detect = { run() {} };", "an object"],
    ["export const detect = class {};", "a class"],
  ])("rejects %s", (code, what) => {
    const check = checkRuleCode("bad-shape", code);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.errors[0]).toMatchObject({
      ruleId: "bad-shape",
      line: 1,
      column: 14,
    });
    expect(!check.ok && check.errors[0]?.message).toContain(
      `rule "bad-shape": detect must be a function, e.g. export function detect(rows, params, ctx) { ... }; here it is ${what}`,
    );
  });

  it("accepts a detect that may be a function", () => {
    for (const code of [
      "export const detect = (rows) => [];",
      "const make = () => () => [];\nexport const detect = make();",
      "export let detect = 1;\ndetect = () => [];",
    ]) {
      expect(checkRuleCode("ok", code).ok, code).toBe(true);
    }
  });
});
