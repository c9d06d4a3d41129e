import { type ChildProcess, spawn } from "node:child_process";
import readline from "node:readline";

import { formatLogLine } from "./log-format.js";

export interface SupervisedApp {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
}

export interface SupervisorOptions {
  apps: SupervisedApp[];
  write: (line: string) => void;
  color: boolean;
  /** How long a stopping app may take before it is killed. */
  stopTimeoutMs: number;
}

export interface Supervisor {
  start(): void;
  stop(): Promise<void>;
}

const PREFIX_WIDTH = 18;

/**
 * Runs each app as its own OS process with prefixed, readable logs, restarts one that
 * crashes (with backoff), and stops them all on request. Apps run in their own process
 * groups so that a Ctrl-C reaches them once, through here; a stdin pipe is their lifeline
 * (VIGIL_SUPERVISED=1): if this process dies, even by SIGKILL, the pipe closes and they stop.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const children = new Map<string, ChildProcess>();
  const restarts = new Map<string, number>();
  let stopping = false;

  const prefix = (name: string) => `[${name}]`.padEnd(PREFIX_WIDTH);
  const pipeLines = (name: string, stream: NodeJS.ReadableStream | null) => {
    if (!stream) {
      return;
    }
    readline
      .createInterface({ input: stream })
      .on("line", (line) =>
        options.write(`${prefix(name)}${formatLogLine(line, options.color)}`),
      );
  };

  const launch = (app: SupervisedApp) => {
    const child = spawn(process.execPath, [app.entry], {
      env: { ...app.env, VIGIL_SUPERVISED: "1" },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    children.set(app.name, child);
    pipeLines(app.name, child.stdout);
    pipeLines(app.name, child.stderr);
    child.on("exit", (code, signal) => {
      children.delete(app.name);
      if (stopping) {
        return;
      }
      const n = (restarts.get(app.name) ?? 0) + 1;
      restarts.set(app.name, n);
      // configuration errors (exit 2) will not fix themselves: do not restart in a loop
      if (code === 2) {
        options.write(
          `${prefix(app.name)}exited with code 2 (bad configuration); not restarting`,
        );
        return;
      }
      const delay = Math.min(30_000, 500 * 2 ** Math.min(n, 6));
      options.write(
        `${prefix(app.name)}exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`,
      );
      setTimeout(() => !stopping && launch(app), delay).unref();
    });
  };

  return {
    start() {
      for (const app of options.apps) {
        launch(app);
      }
    },
    async stop() {
      stopping = true;
      const exits = [...children.entries()].map(
        ([name, child]) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => {
              options.write(`${prefix(name)}did not stop in time; killing`);
              killGroup(child, "SIGKILL");
            }, options.stopTimeoutMs);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            killGroup(child, "SIGTERM");
          }),
      );
      await Promise.all(exits);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    // the app's whole group: the app and anything it spawned that stayed in its group
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
