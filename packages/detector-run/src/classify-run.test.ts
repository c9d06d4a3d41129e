import type { RunResult } from "@vigil/runner";
import { expect, it } from "vitest";

import { classifyRun } from "./classify-run.js";

const output = (text: string) => ({
  head: text,
  tail: text,
  totalBytes: text.length,
  truncated: false,
});

function crashed(stderr: string): RunResult {
  return {
    exitCode: 1,
    signal: null,
    timedOut: false,
    cancelled: false,
    memoryExceeded: false,
    durationMs: 40,
    pid: 123,
    stdout: output(""),
    stderr: output(stderr),
    sandbox: {
      addressSpaceMb: null,
      heapMb: null,
      uid: null,
      networkIsolated: false,
      maxProcesses: null,
      parentDeathSignal: false,
      mountNamespace: false,
      pidNamespace: false,
      diskMb: null,
      maxOpenFiles: null,
      permissionModel: false,
      uidSwept: false,
    },
  };
}

it("names the error line of a crash, not Node's closing version line", () => {
  const stderr = [
    "node:internal/modules/cjs/loader:1210",
    "Error: EACCES: permission denied, open '/work/p/abc/main.mjs'",
    "    at Object.openSync (node:fs:573:18) {",
    "  code: 'EACCES'",
    "}",
    "",
    "Node.js v20.20.2",
  ].join("\n");
  const outcome = classifyRun(crashed(stderr), {
    nonce: "0".repeat(64),
    signal: new AbortController().signal,
    memoryMb: 128,
    details: {},
  });
  expect(outcome.kind).toBe("failed");
  expect(outcome.kind === "failed" && outcome.message).toBe(
    "the detector exited with code 1: Error: EACCES: permission denied, open '/work/p/abc/main.mjs'",
  );
});
