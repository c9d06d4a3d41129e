import { spawn } from "node:child_process";

import { runSandboxed } from "@vigil/runner";

/** Median (the figure every row of the table uses: robust on a noisy 2-core machine). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0
    ? NaN
    : sorted.length % 2
      ? sorted[mid]!
      : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
  );
}

/**
 * Runs the cases round-robin, `warmup + n` rounds, and returns each case's last n durations (ms).
 * Interleaving matters here: other work on the machine drifts over seconds, and every case
 * (the floor included) then sees the same drift, so their ratios stay meaningful.
 */
export async function timeInterleaved(
  cases: (() => Promise<number | void> | void)[],
  n: number,
  warmup = 3,
): Promise<number[][]> {
  const times = cases.map(() => [] as number[]);
  for (let round = 0; round < warmup + n; round++) {
    for (const [i, once] of cases.entries()) {
      const started = performance.now();
      const reported = await once();
      if (round >= warmup) {
        // a case may report its own duration (e.g. from database timestamps)
        times[i]!.push(
          typeof reported === "number" ? reported : performance.now() - started,
        );
      }
    }
  }
  return times;
}

/**
 * The floor: spawn `node -e 0` and wait for its exit. Same minimal env as a detector gets
 * (an inherited NODE_EXTRA_CA_CERTS alone makes Node start 2.5x slower on this machine).
 */
export function spawnNodeNoop(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", "0"], {
      stdio: "ignore",
      env: { NODE_ENV: "production", TZ: "UTC" },
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`node -e 0 exited with ${code}`)),
    );
  });
}

/** `node -e 0` through the runner with the executor's sandbox (caps, uid, netns, pdeathsig). */
export async function sandboxedNodeNoop(memoryMb: number): Promise<void> {
  const res = await runSandboxed({
    command: process.execPath,
    args: ["-e", "0"],
    cwd: "/",
    env: { NODE_ENV: "production", TZ: "UTC" },
    timeoutMs: 10_000,
    memoryMb,
    sandbox: {},
  });
  if (res.exitCode !== 0) {
    throw new Error(
      `sandboxed node -e 0 failed: ${res.spawnError ?? res.stderr.head}`,
    );
  }
}
