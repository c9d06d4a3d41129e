import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  explain,
  runRules,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// A world-accessible Unix socket on the executor's host, like a database's or a container
// runtime's: the empty network namespace does not cover it and Node's permission model does not
// check net.connect(path). The rule tries every way to it it has; none may get through.
afterAll(killStartedExecutors);

let dir: string;
let server: Server;
let socketPath: string;
const connections: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-socket-"));
  await chmod(dir, 0o755);
  socketPath = path.join(dir, "host.sock");
  server = createServer((socket) => {
    connections.push("connected");
    socket.end("hello from the host\n");
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  await chmod(socketPath, 0o777);
});

afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

const attempt = (route: string, body: string) => ({
  ruleId: route,
  code: `export async function detect({ params }) {
  try {
    ${body}
    await new Promise((resolve, reject) => { s.on("connect", resolve); s.on("error", reject); });
    return [{ key: "reached", message: "connected" }];
  } catch (e) {
    return [{ key: "refused", message: String(e && (e.code || e.message)).slice(0, 200) }];
  }
}`,
  parameters: { socket: "" },
});

dbTest(
  "a rule cannot connect to a Unix socket the host listens on; the run is recorded with its sandbox layers and the executor stays up",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const target = JSON.stringify(socketPath);
    const run = await runRules(db, testDatabase.url, [
      attempt(
        "get-builtin-net",
        `const net = process.getBuiltinModule("net"); const s = net.connect(${target});`,
      ),
      attempt(
        "import-from-string",
        `const net = await new Function("s", "return import(s)")("node:net"); const s = net.connect(${target});`,
      ),
      attempt(
        "stdout-socket",
        `const S = process.stdout.constructor; const s = new S(); s.connect(${target});`,
      ),
      attempt(
        "socket-visible",
        `const fs = process.getBuiltinModule("fs"); if (!fs.existsSync(${target})) throw Object.assign(new Error("x"), { code: "NOT_VISIBLE" }); const s = { on() {} }; throw new Error("visible");`,
      ),
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(connections).toEqual([]);
    for (const route of [
      "get-builtin-net",
      "import-from-string",
      "stdout-socket",
      "socket-visible",
    ]) {
      expect(run.findings[route]?.reached, route).toBeUndefined();
    }
    expect(run.findings["socket-visible"]?.refused).toBeDefined();
    expect(run.execution.sandbox, explain(run, executor)).toMatchObject({
      network_namespace: true,
      permission_model: true,
    });
    if (process.getuid?.() === 0) {
      expect(run.execution.sandbox).toMatchObject({
        mount_namespace: true,
        pid_namespace: true,
        other_uid: true,
      });
    }
    expect(executor.child.exitCode).toBeNull();
  },
  60_000,
);
