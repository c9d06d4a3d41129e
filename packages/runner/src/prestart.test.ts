import { setTimeout as sleep } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { isAlive, nodeScript } from "../test/helpers.js";
import { prestartSandboxed } from "./run-sandboxed.js";

// Reads stdin to EOF synchronously, as the detector runtime reads its nonce, then acts on it.
const READ_STDIN_THEN = (then: string) => `
  const fs = require("fs");
  const bootedAt = Date.now();
  const input = fs.readFileSync(0, "utf8");
  const waitedMs = Date.now() - bootedAt;
  ${then}`;

function prestart(script: string, overrides = {}) {
  const {
    timeoutMs: _t,
    signal: _s,
    input: _i,
    ...req
  } = nodeScript(script, overrides);
  return prestartSandboxed(req);
}

describe("prestartSandboxed", () => {
  it("boots and waits for its input; dispatch writes it, and the duration counts from dispatch", async () => {
    const run = await prestart(
      READ_STDIN_THEN(
        `console.log(JSON.stringify({ input, waited: waitedMs > 200 }))`,
      ),
    );
    await sleep(400); // booted and blocked on stdin
    expect(isAlive(run.pid!)).toBe(true);
    expect(run.exited).toBe(false);

    const result = await run.dispatch({ input: "hello", timeoutMs: 5_000 });

    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout.head)).toEqual({
      input: "hello",
      waited: true,
    });
    expect(result.durationMs).toBeLessThan(300);
    expect(run.exited).toBe(true);
  });

  it("starts the wall clock at dispatch, not at spawn, and kills the group on timeout", async () => {
    const run = await prestart(READ_STDIN_THEN(`for (;;) {}`));
    await sleep(600);
    const result = await run.dispatch({ timeoutMs: 400 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(390);
    expect(isAlive(result.pid!)).toBe(false);
  });

  it("cancels through the dispatch's AbortSignal", async () => {
    const run = await prestart(READ_STDIN_THEN(`setInterval(() => {}, 1000)`));
    const controller = new AbortController();
    const running = run.dispatch({
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort("lease lost"), 200);
    const result = await running;
    expect(result).toMatchObject({
      cancelled: true,
      cancelReason: "lease lost",
      timedOut: false,
    });
    expect(isAlive(result.pid!)).toBe(false);
  });

  it("kills the waiting process instead of running it when the signal is already aborted", async () => {
    const run = await prestart(READ_STDIN_THEN(`console.log("ran")`));
    const result = await run.dispatch({
      timeoutMs: 5_000,
      signal: AbortSignal.abort("shutdown"),
    });
    expect(result).toMatchObject({ cancelled: true, cancelReason: "shutdown" });
    expect(result.stdout.head).toBe("");
    expect(isAlive(run.pid!)).toBe(false);
  });

  it("discard kills a waiting process; a second use is refused", async () => {
    const run = await prestart(READ_STDIN_THEN(`console.log("ran")`));
    await run.discard();
    expect(isAlive(run.pid!)).toBe(false);
    await expect(run.dispatch({ timeoutMs: 1_000 })).rejects.toThrow(/once/);
  });

  it("reports a process that died while it waited, as exited", async () => {
    const run = await prestart(`process.exit(3)`);
    await expect.poll(() => run.exited).toBe(true);
    const result = await run.dispatch({ input: "late", timeoutMs: 5_000 });
    expect(result.exitCode).toBe(3);
  });

  it("returns a spawn error at dispatch when the command cannot start", async () => {
    const run = await prestartSandboxed({
      command: "/nonexistent/node",
      args: [],
      cwd: "/",
      env: {},
      memoryMb: 64,
    });
    expect(run.exited).toBe(true);
    const result = await run.dispatch({ timeoutMs: 1_000 });
    expect(result.spawnError).toMatch(/ENOENT/);
  });
});
