import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { RunRequest } from "../src/types.js";

/** A request for `node -e script` with small, test-friendly limits. */
export function nodeScript(
  script: string,
  overrides: Partial<RunRequest> = {},
): RunRequest {
  return {
    command: process.execPath,
    args: ["-e", script],
    cwd: tmpdir(),
    env: {},
    timeoutMs: 10_000,
    memoryMb: 128,
    ...overrides,
  };
}

/** True while a process exists and is not a zombie (PID 1 in a container may not reap at once). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(
      stat.lastIndexOf(")") + 2,
      stat.lastIndexOf(")") + 3,
    );
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function waitFor(
  condition: () => boolean,
  { timeoutMs = 5_000, intervalMs = 20 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A temp folder any uid can enter (mkdtemp makes 0700), removed by the returned cleanup. */
export async function makeTempDir(): Promise<{
  path: string;
  cleanup: () => Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), "vigil-runner-"));
  await chmod(path, 0o755);
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
