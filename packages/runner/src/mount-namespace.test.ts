import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { makeTempDir, nodeScript } from "../test/helpers.js";
import { detectSandboxCapabilities } from "./capabilities.js";
import { runSandboxed } from "./run-sandboxed.js";
import { prepareSandboxDir } from "./sandbox-dir.js";

const caps = await detectSandboxCapabilities();
const title = (test: string) =>
  caps.mountNamespace
    ? test
    : `SKIPPED on this host (bwrap unavailable: ${caps.mountNamespaceProblem}): ${test}`;

describe.skipIf(!caps.mountNamespace)(
  title("the bubblewrap mount namespace"),
  () => {
    it(
      title(
        "shows only the allow-listed folders: no host socket, no /etc, no other process, a private /tmp",
      ),
      async () => {
        const dir = await makeTempDir();
        const socketPath = join(dir.path, "host.sock");
        const server = createServer((socket) => socket.end("reached\n"));
        await new Promise<void>((resolve) =>
          server.listen(socketPath, resolve),
        );
        const run = join(dir.path, "run");
        try {
          await writeFile(join(dir.path, "secret.txt"), "s");
          const { mkdir } = await import("node:fs/promises");
          await mkdir(run, { mode: 0o755 });
          await prepareSandboxDir(run, caps);
          const result = await runSandboxed(
            nodeScript(
              `const fs = require("fs"), net = require("net");
            const seen = (p) => fs.existsSync(p);
            fs.writeFileSync(${JSON.stringify(join(run, "out.txt"))}, "ok");
            fs.writeFileSync("/tmp/x", "private");
            const s = net.connect(${JSON.stringify(socketPath)});
            s.on("data", (d) => console.log("SOCKET", String(d).trim()));
            s.on("error", (e) => console.log(JSON.stringify({ socket: e.code, etc: seen("/etc/passwd"),
              run: seen("/run"), secret: seen(${JSON.stringify(join(dir.path, "secret.txt"))}),
              pids: fs.readdirSync("/proc").filter((e) => /^\\d+$/.test(e)).length, pid: process.pid })));`,
              {
                cwd: run,
                sandbox: { filesystem: { read: [], write: [run] }, diskMb: 1 },
              },
            ),
          );
          expect(result.stderr.head).toBe("");
          const seen = JSON.parse(result.stdout.head) as Record<
            string,
            unknown
          >;
          expect(seen).toMatchObject({
            socket: "ENOENT",
            etc: false,
            run: false,
            secret: false,
          });
          // its own pid namespace: bwrap's init and the detector
          expect(seen.pids).toBeLessThanOrEqual(3);
          expect(result.sandbox).toMatchObject({
            mountNamespace: true,
            pidNamespace: true,
            networkIsolated: true,
            diskMb: 1,
          });
          const { readFile } = await import("node:fs/promises");
          expect(await readFile(join(run, "out.txt"), "utf8")).toBe("ok");
        } finally {
          server.close();
          await dir.cleanup();
        }
      },
    );

    it(
      title(
        "a file past the disk cap fails with EFBIG and a signal still reads as a signal",
      ),
      async () => {
        const dir = await makeTempDir();
        try {
          const fill = await runSandboxed(
            nodeScript(
              `try { require("fs").writeFileSync("/tmp/big", Buffer.alloc(3 << 20)) } catch (e) { console.log(e.code) }`,
              {
                sandbox: { filesystem: { read: [], write: [] }, diskMb: 2 },
              },
            ),
          );
          expect(fill.stdout.head.trim()).toMatch(/^(EFBIG|ENOSPC)$/);
          const segv = await runSandboxed(
            nodeScript(`process.kill(process.pid, "SIGSEGV")`, {
              sandbox: { filesystem: { read: [], write: [] } },
            }),
          );
          expect(segv.signal).toBe("SIGSEGV");
          expect(segv.exitCode).toBeNull();
        } finally {
          await dir.cleanup();
        }
      },
    );

    it.skipIf(!caps.switchUser)(
      title(
        caps.switchUser
          ? "a shell fork bomb stops at the process cap and the host is fine"
          : "SKIPPED on this host (switching uid unavailable, so no process cap): a shell fork bomb stops at the process cap and the host is fine",
      ),
      async () => {
        const result = await runSandboxed({
          command: "/bin/sh",
          args: [
            "-c",
            "n=0; while [ $n -lt 200 ]; do sleep 5 & n=$((n+1)); echo $n; done",
          ],
          cwd: "/",
          env: { PATH: "/usr/bin:/bin" },
          timeoutMs: 20_000,
          memoryMb: 64,
          sandbox: {
            maxProcesses: 20,
            filesystem: { read: [], write: [] },
          },
        });
        // sh gives up at the first fork the cap refuses; every process it started is in the group
        const started = Number(result.stdout.head.trim().split("\n").pop());
        expect(started).toBeGreaterThan(0);
        expect(started).toBeLessThan(20);
        expect(result.stderr.head).toMatch(/fork/i);
        expect(result.sandbox.maxProcesses).toBe(20);
      },
    );
  },
);
