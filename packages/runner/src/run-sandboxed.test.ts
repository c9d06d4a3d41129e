import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { isAlive, nodeScript } from "../test/helpers.js";
import { runSandboxed } from "./run-sandboxed.js";

// A child that starts a looping grandchild in its own group and prints the grandchild's pid.
const SPAWN_LOOPING_GRANDCHILD = `
  const { spawn } = require("child_process");
  const g = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: ["ignore", "inherit", "inherit"] });
  console.log("grandchild=" + g.pid);`;

function grandchildPid(stdout: string): number {
  const match = /grandchild=(\d+)/.exec(stdout);
  if (!match) {
    throw new Error(`no grandchild pid in ${JSON.stringify(stdout)}`);
  }
  return Number(match[1]);
}

describe("runSandboxed", () => {
  it("reports the exit code and output of a process that exits on its own", async () => {
    const result = await runSandboxed(
      nodeScript(`console.log("out"); console.error("err"); process.exit(7)`),
    );
    expect(result).toMatchObject({
      exitCode: 7,
      signal: null,
      timedOut: false,
      cancelled: false,
      memoryExceeded: false,
    });
    expect(result.stdout).toEqual({
      head: "out\n",
      tail: "",
      totalBytes: 4,
      truncated: false,
    });
    expect(result.stderr.head).toBe("err\n");
    expect(result.spawnError).toBeUndefined();
  });

  it("captures what the child writes on file descriptor 3 as the result, apart from stdout", async () => {
    const result = await runSandboxed(
      nodeScript(
        `console.log("noise"); require("fs").writeSync(3, JSON.stringify({ rules: 1 }))`,
        {
          resultChannel: { maxBytes: 1024 },
        },
      ),
    );
    expect(result.exitCode).toBe(0);
    expect(result.result).toEqual({ text: '{"rules":1}', truncated: false });
    expect(result.stdout.head).toBe("noise\n");
  });

  it("writes the input to stdin and closes it", async () => {
    const result = await runSandboxed(
      nodeScript(
        `process.stdout.write(require("fs").readFileSync(0, "utf8").toUpperCase())`,
        { input: "rows" },
      ),
    );
    expect(result.stdout.head).toBe("ROWS");
  });

  it("returns a spawn error instead of throwing when the command does not exist", async () => {
    const result = await runSandboxed(
      nodeScript("", { command: "/nonexistent/node-binary", args: [] }),
    );
    expect(result.spawnError).toMatch(/ENOENT|nonexistent/);
    expect(result.pid).toBeUndefined();
  });

  describe("environment", () => {
    const previous = process.env.DATABASE_URL;
    beforeEach(() => {
      process.env.DATABASE_URL = "postgres://executor:secret@127.0.0.1/vigil";
    });
    afterEach(() => {
      if (previous === undefined) {
        delete process.env.DATABASE_URL;
      } else {
        process.env.DATABASE_URL = previous;
      }
    });

    it("gives the child only the variables it was passed, never the executor's DATABASE_URL", async () => {
      const result = await runSandboxed(
        nodeScript(`console.log(JSON.stringify(process.env))`, {
          env: { VIGIL_RUN: "1" },
        }),
      );
      const env = JSON.parse(result.stdout.head) as Record<string, string>;
      expect(env.DATABASE_URL).toBeUndefined();
      expect(env.VIGIL_RUN).toBe("1");
      expect(result.stdout.head).not.toContain("secret");
    });
  });

  it("times out an infinite loop and kills its whole process group", async () => {
    const result = await runSandboxed(
      nodeScript(`${SPAWN_LOOPING_GRANDCHILD}; for (;;) {}`, {
        timeoutMs: 700,
      }),
    );
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.memoryExceeded).toBe(false);
    expect(result.durationMs).toBeLessThan(3_000);
    const grandchild = grandchildPid(result.stdout.head);
    await expect.poll(() => isAlive(grandchild)).toBe(false);
    expect(isAlive(result.pid!)).toBe(false);
  });

  it("kills a process that ignores SIGTERM after the grace period", async () => {
    const result = await runSandboxed(
      nodeScript(
        `process.on("SIGTERM", () => console.log("ignored")); setInterval(() => {}, 1000)`,
        { timeoutMs: 500, killGraceMs: 200 },
      ),
    );
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    expect(result.stdout.head).toContain("ignored");
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it("ends the run when the child exits even though its grandchild still holds stdout, and kills the grandchild", async () => {
    const result = await runSandboxed(
      nodeScript(`${SPAWN_LOOPING_GRANDCHILD}; g.unref()`, {
        timeoutMs: 5_000,
      }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(2_000);
    await expect
      .poll(() => isAlive(grandchildPid(result.stdout.head)))
      .toBe(false);
  });

  it("returns at the timeout while a grandchild holds stdout, and the grandchild is dead", async () => {
    const started = Date.now();
    const result = await runSandboxed(
      nodeScript(SPAWN_LOOPING_GRANDCHILD, { timeoutMs: 800 }),
    );
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_500);
    await expect
      .poll(() => isAlive(grandchildPid(result.stdout.head)))
      .toBe(false);
  });

  it("caps 200 MB of stdout to head and tail, counts every byte and stays fast", async () => {
    const script = `
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let left = 200;
      const write = () => { while (left > 0) { left--; if (!process.stdout.write(chunk)) return process.stdout.once("drain", write); } process.stdout.write("END"); };
      write();`;
    const started = Date.now();
    const result = await runSandboxed(
      nodeScript(script, { maxOutputBytes: 1024, memoryMb: 256 }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.totalBytes).toBe(200 * 1024 * 1024 + 3);
    expect(result.stdout.truncated).toBe(true);
    expect(result.stdout.head).toBe("a".repeat(512));
    expect(result.stdout.tail).toBe("a".repeat(509) + "END");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("cancels through the AbortSignal with its reason and kills the group", async () => {
    const controller = new AbortController();
    const running = runSandboxed(
      nodeScript(`${SPAWN_LOOPING_GRANDCHILD}; setInterval(() => {}, 1000)`, {
        signal: controller.signal,
      }),
    );
    setTimeout(() => controller.abort("lease_lost"), 300);
    const result = await running;
    expect(result).toMatchObject({
      cancelled: true,
      cancelReason: "lease_lost",
      timedOut: false,
    });
    await expect
      .poll(() => isAlive(grandchildPid(result.stdout.head)))
      .toBe(false);
  });

  it("does not start a run whose signal is already aborted", async () => {
    const result = await runSandboxed(
      nodeScript(`console.log("ran")`, {
        signal: AbortSignal.abort("shutdown"),
      }),
    );
    expect(result).toMatchObject({
      cancelled: true,
      cancelReason: "shutdown",
      pid: undefined,
    });
  });
});
