import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";

import { execa } from "execa";

import { systemBinds } from "./mount-namespace.js";
import type { SandboxCapabilities } from "./types.js";

/** Uid/gid used when the caller does not name one: nobody/nogroup on Debian, Alpine and RHEL. */
export const DEFAULT_SANDBOX_UID = 65534;
export const DEFAULT_SANDBOX_GID = 65534;

// Fixed directories rather than PATH: the tools run as root, so they must not be found through
// a PATH someone else controls.
const TOOL_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];
const PROBE_TIMEOUT_MS = 5_000;

let cached: Promise<SandboxCapabilities> | undefined;

/**
 * Finds out, once per process, which isolation this host allows, by running each tool for real
 * with `node -e 0` (so a uid that cannot execute the Node binary counts as unavailable).
 * Pass `{ refresh: true }` to probe again.
 */
export function detectSandboxCapabilities(
  options: { refresh?: boolean } = {},
): Promise<SandboxCapabilities> {
  if (!cached || options.refresh) {
    cached = probeCapabilities();
  }
  return cached;
}

async function probeCapabilities(): Promise<SandboxCapabilities> {
  const [prlimit, setpriv, unshare, sh, bwrap, env] = await Promise.all(
    ["prlimit", "setpriv", "unshare", "sh", "bwrap", "env"].map((name) =>
      findTool(name),
    ),
  );
  const isRoot = process.getuid?.() === 0;
  const node = [process.execPath, "-e", "0"];
  const [prlimitWorks, ulimitWorks, switchUser, pdeathsig, netRoot, netUser] =
    await Promise.all([
      prlimit
        ? probe([prlimit, "--as=4294967296", "--core=0", "--", ...node])
        : false,
      sh
        ? probe([sh, "-c", 'ulimit -v 4194304 && exec "$@"', "sh", ...node])
        : false,
      setpriv && isRoot
        ? probe([
            setpriv,
            `--reuid=${DEFAULT_SANDBOX_UID}`,
            `--regid=${DEFAULT_SANDBOX_GID}`,
            "--clear-groups",
            "--no-new-privs",
            "--",
            ...node,
          ])
        : false,
      setpriv
        ? probe([setpriv, "--pdeathsig", "SIGKILL", "--", ...node])
        : false,
      unshare ? probe([unshare, "--net", "--", ...node]) : false,
      unshare ? probe([unshare, "--user", "--net", "--", ...node]) : false,
    ]);
  const mount = await probeMountNamespace(bwrap, isRoot);
  const tools: SandboxCapabilities["tools"] = {};
  if (prlimit && prlimitWorks) {
    tools.prlimit = prlimit;
  }
  if (setpriv && (switchUser || pdeathsig)) {
    tools.setpriv = setpriv;
  }
  if (unshare && (netRoot || netUser)) {
    tools.unshare = unshare;
  }
  if (sh && ulimitWorks) {
    tools.sh = sh;
  }
  if (bwrap && mount.mode) {
    tools.bwrap = bwrap;
    if (env) {
      tools.env = env;
    }
  }
  return {
    isRoot,
    addressSpaceLimit: prlimitWorks ? "prlimit" : ulimitWorks ? "ulimit" : null,
    switchUser,
    networkNamespace: netRoot ? "net" : netUser ? "user+net" : null,
    parentDeathSignal: pdeathsig,
    mountNamespace: mount.mode,
    ...(mount.problem ? { mountNamespaceProblem: mount.problem } : {}),
    tools,
  };
}

/**
 * Tries the namespaces a run uses (mount, pid, net) with the same binds a run gets: as root
 * first, then through a user namespace, which unprivileged executors need and some hosts forbid
 * (`kernel.unprivileged_userns_clone=0`, AppArmor's userns restriction, container seccomp).
 */
async function probeMountNamespace(
  bwrap: string | undefined,
  isRoot: boolean,
): Promise<{ mode: "root" | "user" | null; problem?: string }> {
  if (!bwrap) {
    return {
      mode: null,
      problem: `bwrap not found in ${TOOL_DIRS.join(", ")}`,
    };
  }
  const base = [
    ...systemBinds(),
    "--unshare-pid",
    "--unshare-net",
    "--die-with-parent",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--",
    process.execPath,
    "-e",
    "0",
  ];
  const problems: string[] = [];
  for (const mode of isRoot
    ? (["root", "user"] as const)
    : (["user"] as const)) {
    const args = mode === "user" ? ["--unshare-user", ...base] : base;
    const result = await execa(bwrap, args, {
      reject: false,
      extendEnv: false,
      env: {},
      stdin: "ignore",
      timeout: PROBE_TIMEOUT_MS,
    });
    if (result.exitCode === 0) {
      return { mode };
    }
    problems.push(
      `${mode === "root" ? "as root" : "through a user namespace"}: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
    );
  }
  return { mode: null, problem: problems.join("; ") };
}

async function findTool(name: string): Promise<string | undefined> {
  for (const dir of TOOL_DIRS) {
    const path = join(dir, name);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

async function probe([file, ...args]: string[]): Promise<boolean> {
  const result = await execa(file!, args, {
    reject: false,
    extendEnv: false,
    env: {},
    stdio: "ignore",
    timeout: PROBE_TIMEOUT_MS,
  });
  return result.exitCode === 0;
}
