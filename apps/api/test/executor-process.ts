import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(
  new URL("../../executor/dist/main.js", import.meta.url),
);

export interface TestExecutor {
  workerId: string;
  pid: number;
  output(): string;
  /** SIGKILL: a crash, leaving its leases to expire. */
  kill(): Promise<void>;
  /** SIGTERM, then the exit; removes its WORK_DIR. */
  stop(): Promise<void>;
}

let counter = 0;

/**
 * A real executor process (apps/executor/dist/main.js, built by `npm test`) on `databaseUrl`,
 * with a WORK_DIR of its own that the sandbox uid can enter, and `env` on top.
 */
export async function startTestExecutor(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TestExecutor> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-api-exec-"));
  await chmod(workDir, 0o755);
  const workerId = `api-test-exec-${process.pid}-${++counter}`;
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_URL: databaseUrl,
      WORK_DIR: workDir,
      WORKER_ID: workerId,
      METRICS_PORT: "0",
      POLL_INTERVAL_MS: "500",
      EXECUTOR_CONCURRENCY: "2",
      EXECUTOR_DRY_RUN_CONCURRENCY: "2",
      LEASE_SECONDS: "5",
      EXECUTOR_SHUTDOWN_GRACE_SECONDS: "2",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = once(child, "exit");
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    workerId,
    pid: child.pid ?? -1,
    output: () => output,
    kill: async () => {
      if (alive()) {
        child.kill("SIGKILL");
      }
      await exited;
    },
    stop: async () => {
      if (alive()) {
        child.kill("SIGTERM");
      }
      await exited;
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
