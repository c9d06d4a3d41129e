import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isAlive, makeTempDir, nodeScript, waitFor } from "../test/helpers.js";
import { detectSandboxCapabilities } from "./capabilities.js";
import { runSandboxed } from "./run-sandboxed.js";
import { prepareSandboxDir } from "./sandbox-dir.js";

const caps = await detectSandboxCapabilities();
const skipReason = (available: boolean, what: string, test: string) =>
  available ? test : `SKIPPED on this host (${what} unavailable): ${test}`;

describe("isolation from the executor", () => {
  it.skipIf(!caps.switchUser)(
    skipReason(
      caps.switchUser,
      "switching uid",
      "a detector cannot signal its executor because it runs as another uid",
    ),
    async () => {
      // A listener keeps the test process alive even if the signal got through, so the assertion can fail cleanly.
      let received = false;
      const onTerm = () => {
        received = true;
      };
      process.on("SIGTERM", onTerm);
      try {
        const result = await runSandboxed(
          nodeScript(
            `try { process.kill(process.ppid, "SIGTERM"); console.log("sent") } catch (e) { console.log(e.code) }
            console.log(process.getuid())`,
            { sandbox: {} },
          ),
        );
        expect(result.stdout.head).toBe("EPERM\n65534\n");
        expect(result.sandbox.uid).toBe(65534);
        expect(received).toBe(false);
      } finally {
        process.off("SIGTERM", onTerm);
      }
    },
  );

  it.skipIf(!caps.switchUser)(
    skipReason(
      caps.switchUser,
      "switching uid",
      "a prepared run folder is writable by the sandbox uid",
    ),
    async () => {
      const dir = await makeTempDir();
      try {
        expect(await prepareSandboxDir(dir.path, caps)).toBe(65534);
        const result = await runSandboxed(
          nodeScript(`require("fs").writeFileSync("out.json", "{}")`, {
            cwd: dir.path,
            sandbox: {},
          }),
        );
        expect(result.exitCode).toBe(0);
        expect((await stat(`${dir.path}/out.json`)).uid).toBe(65534);
      } finally {
        await dir.cleanup();
      }
    },
  );

  it.skipIf(!caps.switchUser)(
    skipReason(
      caps.switchUser,
      "switching uid",
      "with a dedicated uid, a descendant that escaped the process group with setsid is killed too",
    ),
    async () => {
      const script = `const g = require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"],
        { detached: true, stdio: "ignore" }); g.unref(); console.log(g.pid)`;
      const result = await runSandboxed(
        nodeScript(script, {
          sandbox: { uid: 61234, gid: 61234, dedicatedUid: true },
        }),
      );
      const escaped = Number(result.stdout.head);
      try {
        expect(result.sandbox.uidSwept).toBe(true);
        await waitFor(() => !isAlive(escaped), { timeoutMs: 2_000 });
      } finally {
        if (isAlive(escaped)) {
          process.kill(escaped, "SIGKILL");
        }
      }
    },
  );

  it.skipIf(!caps.parentDeathSignal)(
    skipReason(
      caps.parentDeathSignal,
      "setpriv --pdeathsig",
      "killing the executor with SIGKILL kills its detector",
    ),
    async () => {
      const dir = await makeTempDir();
      const fixture = fileURLToPath(
        new URL("../test/fixtures/executor-with-detector.ts", import.meta.url),
      );
      const tsx = fileURLToPath(
        new URL("../../../node_modules/.bin/tsx", import.meta.url),
      );
      const executor = spawn(
        tsx,
        ["--conditions=@vigil/source", fixture, dir.path],
        { stdio: "ignore" },
      );
      try {
        const pidFile = `${dir.path}/detector.pid`;
        await waitFor(
          () => existsSync(pidFile) && readFileSync(pidFile, "utf8") !== "",
          { timeoutMs: 15_000 },
        );
        const detectorPid = Number(readFileSync(pidFile, "utf8"));
        expect(isAlive(detectorPid)).toBe(true);
        // tsx runs the fixture in a child node process: kill the real executor, the detector's parent.
        const parentPid = Number(
          readFileSync(`/proc/${detectorPid}/stat`, "utf8")
            .split(") ")[1]!
            .split(" ")[1],
        );
        process.kill(parentPid, "SIGKILL");
        await waitFor(() => !isAlive(detectorPid), { timeoutMs: 3_000 });
      } finally {
        executor.kill("SIGKILL");
        await dir.cleanup();
      }
    },
    20_000,
  );
});

describe("network", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((socket) => socket.end("hello"));
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const connect = () => `require("net").connect(${port}, "127.0.0.1")
    .on("data", (d) => console.log("connected " + d)).on("error", (e) => console.log(e.code))`;

  it("reaches a local server without a sandbox (the control case)", async () => {
    const result = await runSandboxed(nodeScript(connect()));
    expect(result.stdout.head).toBe("connected hello\n");
  });

  it.skipIf(caps.networkNamespace === null)(
    skipReason(
      caps.networkNamespace !== null,
      "a network namespace",
      "a sandboxed detector cannot reach a server on the executor's loopback",
    ),
    async () => {
      const result = await runSandboxed(nodeScript(connect(), { sandbox: {} }));
      expect(result.sandbox.networkIsolated).toBe(true);
      expect(result.stdout.head).toMatch(/^(ENETUNREACH|ECONNREFUSED)\n$/);
    },
  );
});
