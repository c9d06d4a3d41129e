import { once } from "node:events";
import { constants } from "node:os";
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
import type {
  AppliedSandbox,
  CapturedOutput,
  RunRequest,
  RunResult,
} from "./types.js";
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
  if (req.signal?.aborted) {
    const caps = req.capabilities ?? (await detectSandboxCapabilities());
    return {
      ...notStarted(wrapCommand(req, caps).applied),
      cancelled: true,
      cancelReason: describeReason(req.signal.reason),
    };
  }
  const spawned = await spawnProcess(
    req,
    req.input === undefined ? "ignore" : "pipe",
  );
  return spawned.dispatch(req, started);
}

/**
 * Starts the process now and lets it wait: it boots (Node's own start-up, the modules it
 * imports statically) until its stdin is closed, which only `dispatch` does. `dispatch` then
 * writes the input, starts the wall clock and returns what `runSandboxed` would; the boot is off
 * the run's critical path. Every limit of the request holds from the spawn on. Used once:
 * dispatch or discard it, never both, never twice.
 */
export async function prestartSandboxed(
  req: PrestartRequest,
): Promise<PrestartedRun> {
  return spawnProcess(req, "pipe");
}

export type PrestartRequest = Omit<
  RunRequest,
  "input" | "timeoutMs" | "signal"
>;

export interface DispatchRequest {
  /** Written to stdin, which is then closed (closed at once when omitted). */
  input?: string;
  timeoutMs: number;
  /**
   * `timeoutMs` counts from when this settles (from the dispatch when unset): a detector started
   * while its input is still being written is given its whole time once the input is complete.
   */
  timeoutFrom?: Promise<unknown>;
  signal?: AbortSignal;
}

export interface PrestartedRun {
  readonly pid: number | undefined;
  /** True once the process has exited: it died while waiting, or has run. */
  readonly exited: boolean;
  dispatch(run: DispatchRequest): Promise<RunResult>;
  /** Kills the waiting process's group and waits for it to be gone. */
  discard(): Promise<void>;
}

interface SpawnedRun extends PrestartedRun {
  dispatch(run: DispatchRequest, startedAt?: number): Promise<RunResult>;
}

async function spawnProcess(
  req: PrestartRequest,
  stdin: "pipe" | "ignore",
): Promise<SpawnedRun> {
  const caps = req.capabilities ?? (await detectSandboxCapabilities());
  const resolved = await resolveCommand(req.command, req.env);
  const { file, args, applied, gid } = wrapCommand(
    { ...req, command: "path" in resolved ? resolved.path : req.command },
    caps,
  );
  if ("error" in resolved) {
    return failedToStart(applied, resolved.error);
  }
  const stdout = createStreamCapture(
    req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
  );
  const stderr = createStreamCapture(
    req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
  );
  const result = req.resultChannel
    ? createResultCapture(req.resultChannel.maxBytes)
    : undefined;

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
    stdio: [stdin, "pipe", "pipe", result ? "pipe" : "ignore"],
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    const failed = await subprocess;
    return failedToStart(
      applied,
      failed.shortMessage ?? failed.message ?? "spawn failed",
    );
  }
  // A process that dies before its input arrives closes stdin under us: EPIPE, not a crash.
  subprocess.stdin?.on("error", () => undefined);
  let exited = false;
  const exit = (
    once(subprocess, "exit") as Promise<[number | null, NodeJS.Signals | null]>
  ).then((status) => {
    exited = true;
    return { status, at: performance.now() };
  });
  const pipes = [
    collect(subprocess.stdout, stdout),
    collect(subprocess.stderr, stderr),
    ...(result ? [collect(subprocess.stdio[3], result)] : []),
  ];
  const terminator = createGroupTerminator(
    pid,
    req.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
  );
  let used = false;
  const use = () => {
    if (used) {
      throw new Error("a prestarted run is dispatched or discarded once");
    }
    used = true;
  };
  const settle = async () => {
    await drainPipes(pipes, [
      subprocess.stdout,
      subprocess.stderr,
      subprocess.stdio[3],
    ]);
    await subprocess;
  };

  return {
    pid,
    get exited() {
      return exited;
    },
    async discard() {
      use();
      terminator.killNow();
      await exit;
      terminator.killNow();
      await settle();
      terminator.dispose();
    },
    async dispatch(run, startedAt = performance.now()) {
      use();
      const base = { pid, sandbox: applied, memoryExceeded: false };
      if (run.signal?.aborted) {
        terminator.killNow();
        await exit;
        await settle();
        terminator.dispose();
        return {
          ...notStarted(applied),
          pid,
          cancelled: true,
          cancelReason: describeReason(run.signal.reason),
        };
      }
      let timedOut = false;
      let cancelReason: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      const arm = () => {
        if (!ended) {
          timer = setTimeout(() => {
            timedOut = true;
            terminator.terminate();
          }, run.timeoutMs);
        }
      };
      if (run.timeoutFrom === undefined) {
        arm();
      } else {
        run.timeoutFrom.then(arm, arm);
      }
      const onAbort = () => {
        cancelReason = describeReason(run.signal?.reason);
        terminator.terminate();
      };
      run.signal?.addEventListener("abort", onAbort, { once: true });
      subprocess.stdin?.end(run.input ?? "");

      try {
        const {
          status: [rawExitCode, rawSignal],
          at,
        } = await exit;
        const [exitCode, signal] = applied.mountNamespace
          ? signalThroughBwrap(rawExitCode, rawSignal)
          : [rawExitCode, rawSignal];
        const durationMs = Math.max(0, at - startedAt);
        ended = true;
        clearTimeout(timer);
        run.signal?.removeEventListener("abort", onAbort);
        // The detector is done: whatever it left behind in its group goes with it.
        terminator.killNow();
        if (applied.uid !== null && req.sandbox?.dedicatedUid) {
          applied.uidSwept = await sweepUid(applied.uid, gid, caps);
        }
        await settle();
        const stderrOutput = stderr.finish();
        const cancelled = cancelReason !== undefined && !timedOut;
        return {
          ...base,
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
        ended = true;
        terminator.dispose();
        clearTimeout(timer);
        run.signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}

/**
 * bubblewrap exits with 128 + n when the command was killed by signal n; turned back into the
 * signal so timeouts and memory exhaustion (SIGABRT, SIGSEGV) read as they do without it. A
 * rule that calls `process.exit(134)` itself is read as SIGABRT too, failing its own run.
 */
function signalThroughBwrap(
  exitCode: number | null,
  signal: NodeJS.Signals | null,
): [number | null, NodeJS.Signals | null] {
  if (exitCode === null || exitCode <= 128) {
    return [exitCode, signal];
  }
  const name = Object.entries(constants.signals).find(
    ([, number]) => number === exitCode - 128,
  )?.[0] as NodeJS.Signals | undefined;
  return name ? [null, name] : [exitCode, signal];
}

/** A run that never had a process: nothing to dispatch, nothing to kill. */
function failedToStart(
  applied: AppliedSandbox,
  spawnError: string,
): SpawnedRun {
  return {
    pid: undefined,
    exited: true,
    discard: () => Promise.resolve(),
    dispatch: () =>
      Promise.resolve({ ...notStarted(applied), cancelled: false, spawnError }),
  };
}

function notStarted(applied: AppliedSandbox): Omit<RunResult, "cancelled"> {
  const empty: CapturedOutput = {
    head: "",
    tail: "",
    totalBytes: 0,
    truncated: false,
  };
  return {
    pid: undefined,
    sandbox: applied,
    timedOut: false,
    memoryExceeded: false,
    durationMs: 0,
    exitCode: null,
    signal: null,
    stdout: empty,
    stderr: { ...empty },
  };
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

function describeReason(reason: unknown): string {
  if (typeof reason === "string") {
    return reason;
  }
  if (reason instanceof Error) {
    return reason.name === "AbortError" ? "aborted" : reason.message;
  }
  return "aborted";
}
