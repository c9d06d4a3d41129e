/** What a caller asks for: one detector process, its limits and its sandbox. */
export interface RunRequest {
  /** Program to run; an absolute path (usually `process.execPath`), because the child's PATH is whatever `env` says. */
  command: string;
  /** Arguments, e.g. `[...nodePermissionFlags({ read, write }), "main.mjs", runDir]`. */
  args: string[];
  cwd: string;
  /** The WHOLE child environment; nothing is inherited from the parent (execa `extendEnv: false`). */
  env: Record<string, string>;
  /** Written to the child's stdin, then stdin is closed. Without it stdin is /dev/null. */
  input?: string;
  /** Wall clock; on expiry the whole process group gets SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs: number;
  /**
   * Memory cap in MiB. Enforced as an address-space limit (RLIMIT_AS = memoryMb + the sandbox's
   * `addressSpaceOverheadMb`), which holds for `Buffer`s and other off-heap memory; for Node
   * commands the V8 heap is also capped at memoryMb (`--max-old-space-size`).
   */
  memoryMb: number;
  /** Bytes kept per stream (half head, half tail); the total is always counted. @default 262144 */
  maxOutputBytes?: number;
  /** Capture file descriptor 3 of the child (a pipe): the result channel rule code cannot forge on stdout. */
  resultChannel?: { maxBytes: number };
  /** Aborting kills the whole process group; `signal.reason` (if a string or Error) becomes `cancelReason`. */
  signal?: AbortSignal;
  /** OS-level isolation, applied where the host allows it (see `detectSandboxCapabilities`). Omitted: none. */
  sandbox?: SandboxOptions;
  /** Time between SIGTERM and SIGKILL when the run is timed out or cancelled. @default 500 */
  killGraceMs?: number;
  /** Use these instead of the detected capabilities: to switch a feature off, or to test a weaker host. */
  capabilities?: SandboxCapabilities;
}

export interface SandboxOptions {
  /** Uid/gid the child runs as when the host allows switching users. @default 65534 (nobody) */
  uid?: number;
  gid?: number;
  /** Give the child an empty network namespace (only loopback, down) where available. @default true */
  isolateNetwork?: boolean;
  /**
   * RLIMIT_NPROC for the child's uid; only applied when the child runs as another uid, because it
   * counts every task (threads too; Node uses ~11) of that uid on the host. @default 128
   */
  maxProcesses?: number;
  /**
   * The caller promises that no other process uses `uid` while this run lasts (e.g. one uid per
   * executor slot). Then, after the run, every process of that uid is killed, which also catches
   * descendants that escaped the process group with setsid. Ignored for uid 0. @default false
   */
  dedicatedUid?: boolean;
  /** Address space Node needs beyond `memoryMb` (code ranges, thread stacks; `node -e 0` maps ~712 MiB). @default 1024 */
  addressSpaceOverheadMb?: number;
  /**
   * The only folders the child sees besides the Node binary, its libraries, a private `/tmp`, a
   * minimal `/dev` and its own `/proc`: a mount namespace built by bubblewrap, where the host
   * allows one. `read` is mounted read-only, `write` read-write. Omitted: the host's file system.
   */
  filesystem?: { read: string[]; write: string[] };
  /** Largest file the child may write (RLIMIT_FSIZE) and the size of its private `/tmp`. */
  diskMb?: number;
  /** RLIMIT_NOFILE. @default 256 */
  maxOpenFiles?: number;
}

/** What this host allows; found by running each tool once (see capabilities.ts). */
export interface SandboxCapabilities {
  isRoot: boolean;
  /** How RLIMIT_AS is set: util-linux prlimit, `sh -c 'ulimit -v'`, or not at all. */
  addressSpaceLimit: "prlimit" | "ulimit" | null;
  /** The child can run as another uid (root + setpriv). Implies it cannot signal the executor. */
  switchUser: boolean;
  /** An empty network namespace: `unshare --net` (root) or `unshare --user --net` (unprivileged user namespaces). */
  networkNamespace: "net" | "user+net" | null;
  /** The child gets SIGKILL when the executor dies (setpriv --pdeathsig). */
  parentDeathSignal: boolean;
  /**
   * bubblewrap can build a mount + pid namespace: as root (`"root"`) or through an unprivileged
   * user namespace (`"user"`); `null` with `mountNamespaceProblem` saying why not.
   */
  mountNamespace: "root" | "user" | null;
  mountNamespaceProblem?: string;
  /** Absolute paths of the tools that worked. */
  tools: {
    prlimit?: string;
    setpriv?: string;
    unshare?: string;
    sh?: string;
    bwrap?: string;
    /** coreutils env: takes back the PWD bwrap adds to the child's environment. */
    env?: string;
  };
}

export interface CapturedOutput {
  /** The first bytes (or everything, when not truncated). */
  head: string;
  /** The last bytes; empty when not truncated. */
  tail: string;
  totalBytes: number;
  truncated: boolean;
}

/** What was actually applied to this run, so it can be recorded and audited. */
export interface AppliedSandbox {
  addressSpaceMb: number | null;
  heapMb: number | null;
  uid: number | null;
  networkIsolated: boolean;
  maxProcesses: number | null;
  parentDeathSignal: boolean;
  /** The child saw only its allow-listed folders (bubblewrap mount namespace). */
  mountNamespace: boolean;
  /** The child had a pid namespace of its own (it cannot see or signal other processes). */
  pidNamespace: boolean;
  /** RLIMIT_FSIZE in MiB (and the private `/tmp` size under a mount namespace). */
  diskMb: number | null;
  maxOpenFiles: number | null;
  /** The command is Node with the permission model switched on. */
  permissionModel: boolean;
  /** Every process of the run's uid was killed after the run (`dedicatedUid`). */
  uidSwept: boolean;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  cancelReason?: string;
  memoryExceeded: boolean;
  durationMs: number;
  pid: number | undefined;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  /** What the child wrote on fd 3; present when `resultChannel` was requested and the process started. */
  result?: { text: string; truncated: boolean };
  /** Set when the process could not be started at all (ENOENT, EACCES, ...). */
  spawnError?: string;
  sandbox: AppliedSandbox;
}
