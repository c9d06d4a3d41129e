import { chown, readdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";

import { afterAll, expect } from "vitest";

import type { Db } from "@vigil/db";
import { dbTest } from "@vigil/db/testing";
import { detectSandboxCapabilities } from "@vigil/runner";

import {
  createProject,
  runOnce,
  type HostileRule,
} from "./fixtures/hostile/harness.js";
import {
  killStartedExecutors,
  makeWorkDir,
  startExecutor,
  type ExecutorProcess,
} from "./helpers.js";

// The hostile runs of sandbox-unix-socket, sandbox-disk-fill and sandbox-fork-bomb through an
// executor that is not root (uid 65534): bwrap then builds its namespaces inside an
// unprivileged user namespace, where the host allows one; another uid and the process cap
// need root, so those two layers are attested false.
afterAll(killStartedExecutors);

const NOBODY = 65534;
const caps = await detectSandboxCapabilities();
const canRun = process.getuid?.() === 0 && caps.tools.setpriv !== undefined;
const title = (test: string) =>
  canRun
    ? test
    : `SKIPPED on this host (needs root to start an executor as uid ${NOBODY} with setpriv): ${test}`;

let executor: ExecutorProcess | undefined;
async function nobodyExecutor(url: string): Promise<ExecutorProcess> {
  if (!executor) {
    const workDir = await makeWorkDir();
    await chown(workDir, NOBODY, NOBODY);
    executor = startExecutor(
      url,
      {
        WORK_DIR: workDir,
        EXECUTOR_CONCURRENCY: "2",
        POLL_INTERVAL_MS: "200",
        DETECTOR_DISK_MB: "8",
      },
      NOBODY,
    );
  }
  return executor;
}

async function runAsNobody(db: Db, url: string, rules: HostileRule[]) {
  const ex = await nobodyExecutor(url);
  const projectId = await createProject(db, rules);
  const execution = await runOnce(db, projectId, ex);
  return {
    execution,
    ex,
    why: `${JSON.stringify(execution)}\n${ex.logs.slice(-15).join("\n")}`,
  };
}

const ruleError = (rules: unknown, id: string) =>
  (rules as { ruleId: string; error?: string }[]).find((r) => r.ruleId === id)
    ?.error ?? "";

dbTest.skipIf(!canRun)(
  title(
    "as nobody: no Unix socket, a disk fill past the cap and a fork bomb each fail cleanly, in namespaces of a user namespace; the executor stays up",
  ),
  async ({ db, testDatabase }) => {
    const dir = await makeWorkDir();
    const socketPath = path.join(dir, "host.sock");
    let connected = 0;
    const server = createServer((s) => {
      connected++;
      s.end();
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const socket = await runAsNobody(db, testDatabase.url, [
        {
          ruleId: "connect",
          code: `export async function detect() {
  try { const net = process.getBuiltinModule("net"); net.connect(${JSON.stringify(socketPath)}); return [{ key: "reached", message: "x" }]; }
  catch (e) { return [{ key: "refused", message: String(e.message).slice(0, 100) }]; }
}`,
        },
      ]);
      expect(socket.execution.status, socket.why).toBe("success");
      expect(connected).toBe(0);
      const held = socket.execution.sandbox;
      if (caps.mountNamespace === "user" || caps.mountNamespace === "root") {
        expect(held, socket.why).toMatchObject({
          mount_namespace: true,
          pid_namespace: true,
          network_namespace: true,
        });
      }
      expect(held).toMatchObject({
        other_uid: false,
        process_cap: false,
        memory_cap: true,
        disk_cap: true,
        permission_model: true,
      });

      const fill = await runAsNobody(db, testDatabase.url, [
        {
          ruleId: "many-files",
          code: `export function detect() {
  const fs = process.getBuiltinModule("fs"); const run = process.argv.at(-1);
  for (let i = 0; i < 6; i++) fs.writeFileSync(run + "/part-" + i, Buffer.alloc(${4 * 1024 * 1024 - 1}, 1));
  return [];
}`,
        },
        {
          ruleId: "one-big-file",
          code: `export function detect() {
  process.getBuiltinModule("fs").writeFileSync(process.argv.at(-1) + "/big", Buffer.alloc(${16 * 1024 * 1024}, 1));
  return [];
}`,
        },
      ]);
      expect(fill.execution.status, fill.why).toBe("failed");
      expect(fill.execution.error_message).toMatch(/over the 8 MB disk cap/);

      const bomb = await runAsNobody(db, testDatabase.url, [
        {
          ruleId: "fork-bomb",
          code: `export function detect() {
  const cp = process.getBuiltinModule("child_process");
  for (let i = 0; i < 200; i++) cp.spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
  return [];
}`,
        },
      ]);
      expect(
        ruleError(bomb.execution.rule_results, "fork-bomb"),
        bomb.why,
      ).toMatch(/ERR_ACCESS_DENIED|has been restricted/);
      expect(bomb.ex.child.exitCode).toBeNull();
      expect((await readdir(path.join(dir))).includes("host.sock")).toBe(true);
    } finally {
      server.close();
    }
  },
  90_000,
);
