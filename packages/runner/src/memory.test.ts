import { describe, expect, it } from "vitest";

import { nodeScript } from "../test/helpers.js";
import { detectSandboxCapabilities } from "./capabilities.js";
import { detectMemoryExhaustion } from "./memory.js";
import { runSandboxed } from "./run-sandboxed.js";

const caps = await detectSandboxCapabilities();
const limited = caps.addressSpaceLimit !== null;

describe("memory cap", () => {
  it("stops a heap bomb and says it ran out of memory", async () => {
    const result = await runSandboxed(
      nodeScript(`const a = []; for (;;) a.push({ n: Math.random() + "" })`, {
        memoryMb: 64,
      }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.memoryExceeded).toBe(true);
    expect(result.sandbox.heapMb).toBe(64);
  });

  it.skipIf(!limited)(
    limited
      ? "stops a Buffer bomb outside the JS heap with the address-space limit"
      : "SKIPPED on this host (neither prlimit nor sh ulimit works): stops a Buffer bomb",
    async () => {
      const before = process.memoryUsage().rss;
      const result = await runSandboxed(
        nodeScript(
          `const a = []; for (;;) a.push(Buffer.alloc(64 * 1024 * 1024, 1))`,
          { memoryMb: 128 },
        ),
      );
      expect(result.memoryExceeded).toBe(true);
      expect(result.sandbox.addressSpaceMb).toBe(128 + 1024);
      // The test process itself is unharmed: alive, and not holding the child's memory.
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    },
  );

  it("lets a detector use moderate memory within its cap", async () => {
    const script = `const bufs = []; for (let i = 0; i < 10; i++) bufs.push(Buffer.alloc(10 * 1024 * 1024, 1));
      const objs = []; for (let i = 0; i < 5e5; i++) objs.push({ i, s: "x" + i });
      console.log(bufs.length + objs.length);`;
    const result = await runSandboxed(nodeScript(script, { memoryMb: 256 }));
    expect(result.stderr.head).toBe("");
    expect(result).toMatchObject({ exitCode: 0, memoryExceeded: false });
  });
});

describe("detectMemoryExhaustion", () => {
  it("reads a fatal signal as memory only under an address-space limit", () => {
    const crash = { exitCode: null, signal: "SIGSEGV", stderrText: "" };
    expect(
      detectMemoryExhaustion({ ...crash, addressSpaceLimited: true }),
    ).toBe(true);
    expect(
      detectMemoryExhaustion({ ...crash, addressSpaceLimited: false }),
    ).toBe(false);
  });

  it("never calls a successful exit a memory failure, whatever stderr says", () => {
    expect(
      detectMemoryExhaustion({
        exitCode: 0,
        signal: null,
        stderrText: "out of memory",
        addressSpaceLimited: true,
      }),
    ).toBe(false);
  });
});
