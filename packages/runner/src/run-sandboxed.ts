import { once } from "node:events";
import type { Readable } from "node:stream";

import { execa } from "execa";

import { detectSandboxCapabilities } from "./capabilities.js";
import {
  createResultCapture,
  createStreamCapture,
  type ResultCapture,
  type StreamCapture,
} from "./capture.js";
import { detectMemoryExhaustion } from "./memory.js";
import { createGroupTerminator } from "./process-group.js";
import { resolveCommand } from "./resolve-command.js";
import { sweepUid } from "./sweep-uid.js";
import type { CapturedOutput, RunRequest, RunResult } from "./types.js";
import { wrapCommand } from "./wrap-command.js";

export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;
export const DEFAULT_KILL_GRACE_MS = 500;
/**
 * After the direct child exits its group is SIGKILLed, which closes every pipe held inside the
 * group. Only a descendant that escaped the group (setsid) can keep a pipe open; we stop
 * waiting for it after this long rather than hang.
 */
const PIPE_DRAIN_MS = 1_000;

/**
 * Runs one detector process and reports what happened. Expected outcomes (non-zero exit,
 * timeout, cancellation, memory exhaustion, a command that cannot start) are returned, never
 * thrown. No process of the run's group outlives the call.
 */
export async function runSandboxed(req: RunRequest): Promise<RunResult> {
  const started = performance.now();
  const caps = req.capabilities ?? (await detectSandboxCapabilities());
  const resolved = await resolveCommand(req.command, req.env);
  const { file, args, applied, gid } = wrapCommand(
    { ...req, command: "path" in resolved ? resolved.path : req.command },
    caps,
  );
  const stdout = createStreamCapture(
    req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
  );
  const stderr = createStreamCapture(
    req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
  );
  const result = req.resultChannel
    ? createResultCapture(req.resultChannel.maxBytes)
    : undefined;
  const base = {
    pid: undefined,
    sandbox: applied,
    timedOut: false,
    memoryExceeded: false,
  };

  if ("error" in resolved) {
    return {
      ...base,
      ...emptyExit(),
      cancelled: false,
      durationMs: 0,
      spawnError: resolved.error,
    };
  }
  if (req.signal?.aborted) {
    return {
      ...base,
      ...emptyExit(),
      cancelled: true,
      cancelReason: describeReason(req.signal.reason),
      durationMs: 0,
    };
  }

  // execa is used without its own timeout and cancelSignal: both signal only the direct child,
  // and a grandchild holding stdout would keep the call waiting (measured). We kill the group.
  const subprocess = execa(file, args, {
    cwd: req.cwd,
    env: req.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
    stdio: [
      req.input === undefined ? "ignore" : "pipe",
      "pipe",
      "pipe",
      result ? "pipe" : "ignore",
    ],
    ...(req.input === undefined ? {} : { input: req.input }),
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    const failed = await subprocess;
    return {
      ...base,
      ...emptyExit(),
      cancelled: false,
      durationMs: performance.now() - started,
      spawnError: failed.shortMessage ?? failed.message ?? "spawn failed",
    };
  }

  const pipes = [
    collect(subprocess.stdout, stdout),
    collect(subprocess.stderr, stderr),
    ...(result ? [collect(subprocess.stdio[3], result)] : []),
  ];
  const terminator = createGroupTerminator(
    pid,
    req.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
  );
  let timedOut = false;
  let cancelReason: string | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    terminator.terminate();
  }, req.timeoutMs);
  const onAbort = () => {
    cancelReason = describeReason(req.signal?.reason);
    terminator.terminate();
  };
  req.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    const [exitCode, signal] = (await once(subprocess, "exit")) as [
      number | null,
      NodeJS.Signals | null,
    ];
    const durationMs = performance.now() - started;
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onAbort);
    // The detector is done: whatever it left behind in its group goes with it.
    terminator.killNow();
    if (applied.uid !== null && req.sandbox?.dedicatedUid) {
      applied.uidSwept = await sweepUid(applied.uid, gid, caps);
    }
    await drainPipes(pipes, [
      subprocess.stdout,
      subprocess.stderr,
      subprocess.stdio[3],
    ]);
    await subprocess;
    const stderrOutput = stderr.finish();
    const cancelled = cancelReason !== undefined && !timedOut;
    return {
      ...base,
      pid,
      exitCode,
      signal,
      timedOut,
      cancelled,
      ...(cancelled ? { cancelReason } : {}),
      memoryExceeded:
        !timedOut &&
        !cancelled &&
        detectMemoryExhaustion({
          exitCode,
          signal,
          stderrText: `${stderrOutput.head}\n${stderrOutput.tail}`,
          addressSpaceLimited: applied.addressSpaceMb !== null,
        }),
      durationMs,
      stdout: stdout.finish(),
      stderr: stderrOutput,
      ...(result ? { result: result.finish() } : {}),
    };
  } finally {
    terminator.dispose();
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onAbort);
  }
}

function collect(
  stream: Readable | null,
  capture: StreamCapture | ResultCapture,
): Promise<void> {
  if (!stream) {
    return Promise.resolve();
  }
  stream.on("data", (chunk: Buffer | string) =>
    capture.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk),
  );
  return new Promise((resolve) => {
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}

async function drainPipes(
  pipes: Promise<void>[],
  streams: (Readable | null)[],
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), PIPE_DRAIN_MS);
  });
  const outcome = await Promise.race([Promise.all(pipes), deadline]);
  clearTimeout(timer);
  if (outcome === "late") {
    for (const stream of streams) {
      stream?.destroy();
    }
  }
}

function emptyExit(): Pick<
  RunResult,
  "exitCode" | "signal" | "stdout" | "stderr"
> {
  const empty: CapturedOutput = {
    head: "",
    tail: "",
    totalBytes: 0,
    truncated: false,
  };
  return { exitCode: null, signal: null, stdout: empty, stderr: { ...empty } };
}

function describeReason(reason: unknown): string {
  if (typeof reason === "string") {
    return reason;
  }
  if (reason instanceof Error) {
    return reason.name === "AbortError" ? "aborted" : reason.message;
  }
  return "aborted";
}
