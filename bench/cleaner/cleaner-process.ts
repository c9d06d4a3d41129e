import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface CleanerRun {
  /** Resolves with the pass's own duration (its "cleaning pass finished" log line) on exit 0. */
  done: Promise<{ durationMs: number }>;
  child: ChildProcess;
}

/** Starts one pass of the real cleaner: `node apps/cleaner/dist/main.js --once`. */
export function startCleanerOnce(
  databaseUrl: string,
  { batch, pauseMs }: { batch: number; pauseMs: number },
): CleanerRun {
  const main = fileURLToPath(
    new URL("../../apps/cleaner/dist/main.js", import.meta.url),
  );
  const child = spawn(process.execPath, [main, "--once"], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      RETENTION_KEEP_LAST: "100",
      CLEANER_BATCH_SIZE: String(batch),
      CLEANER_BATCH_PAUSE_MS: String(pauseMs),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<{ durationMs: number }>((resolve, reject) => {
    child.on("exit", (code) => {
      const finished = output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { msg?: string; durationMs?: number })
        .find((l) => l.msg === "cleaning pass finished");
      if (code !== 0 || finished?.durationMs === undefined) {
        reject(new Error(`the cleaner failed (exit ${code}):\n${output}`));
      } else {
        resolve({ durationMs: finished.durationMs });
      }
    });
  });
  return { done, child };
}

export interface Period {
  running: boolean;
  from: number;
  to: number;
}

/**
 * Alternates the cleaner between running and stopped (SIGSTOP/SIGCONT) every `everyMs`
 * until it exits, so that the claims measured with and without the prune come from the
 * same minutes, and a busy host disturbs both alike. Returns the periods (wall clock).
 */
export async function interleave(
  run: CleanerRun,
  everyMs: number,
): Promise<Period[]> {
  const periods: Period[] = [];
  let running = true;
  let from = Date.now();
  let exited = false;
  void run.done.catch(() => undefined).finally(() => (exited = true));
  while (!exited) {
    await Promise.race([
      new Promise((r) => setTimeout(r, everyMs)),
      run.done.catch(() => undefined),
    ]);
    const now = Date.now();
    periods.push({ running, from, to: now });
    from = now;
    if (exited) {
      break;
    }
    running = !running;
    run.child.kill(running ? "SIGCONT" : "SIGSTOP");
  }
  return periods;
}
