import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { waitFor } from "@vigil/db/testing";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface CreatorProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  lines: Array<Record<string, unknown>>;
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts `node dist/main.js` (the production entry point) against `databaseUrl`. */
export function startCreatorProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): CreatorProcess {
  if (!existsSync(MAIN)) {
    throw new Error(
      `${MAIN} is missing: build first (npx turbo run build --filter=@vigil/trigger-creator...)`,
    );
  }
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: databaseUrl,
      // creators in one test, and test files in parallel, each need a port of their own
      METRICS_PORT: "0",
      LOG_LEVEL: "info",
      POLL_INTERVAL_MS: "500",
      LEADER_RETRY_MS: "300",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim() !== "") {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      }
    }
  });
  let stderr = "";
  child.stderr?.on(
    "data",
    (chunk: Buffer) => void (stderr += chunk.toString("utf8")),
  );
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => resolve(code)),
  );
  return {
    child,
    lines,
    exited,
    waitForLog: (msg, timeoutMs = 10_000) =>
      waitFor(() => lines.find((l) => l.msg === msg), {
        timeoutMs,
        message: `log "${msg}" from pid ${child.pid} (stderr: ${stderr.slice(-500)})`,
      }),
  };
}
