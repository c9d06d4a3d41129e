import { spawn } from "node:child_process";
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { findFreePort } from "@vigil/db/embedded";
import { waitFor } from "@vigil/db/testing";

import { appEntry } from "../src/paths.js";

export interface TestStack {
  baseUrl: string;
  /** The `vigil start` process (the apps are its children). */
  pid: number;
  /** Everything the stack printed so far, for failure messages. */
  output(): string;
  /** SIGTERM, and wait for the stack to exit; its exit code. */
  stop(): Promise<number | null>;
}

/**
 * `vigil start --no-demo` on a free port against `databaseUrl`, as an operator runs it, with
 * `env` on top (secrets, concurrency, poll interval); resolves once the API is ready.
 */
export async function startTestStack(o: {
  databaseUrl: string;
  token: string;
  env: Record<string, string>;
}): Promise<TestStack> {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "vigil-stack-"));
  // detectors run as another uid, which must be able to enter WORK_DIR (mkdtemp makes 0700)
  await chmod(dataDir, 0o755);
  const stack = spawn(
    process.execPath,
    [appEntry("cli"), "start", "--no-demo"],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: o.databaseUrl,
        PORT: String(port),
        API_TOKENS: o.token,
        VIGIL_DATA_DIR: dataDir,
        ...o.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  stack.stdout.on("data", (b: Buffer) => (output += b.toString()));
  stack.stderr.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    stack.once("exit", (code) => resolve(code)),
  );
  const stop = () => {
    if (stack.exitCode === null) {
      stack.kill("SIGTERM");
    }
    return exited;
  };
  try {
    await waitFor(() => fetch(`${baseUrl}/ready`).then((r) => r.ok), {
      timeoutMs: 30_000,
      message: "the API to be ready",
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, pid: stack.pid!, output: () => output, stop };
}
