import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";

import { execa } from "execa";

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
  const [prlimit, setpriv, unshare, sh] = await Promise.all(
    ["prlimit", "setpriv", "unshare", "sh"].map((name) => findTool(name)),
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
  return {
    isRoot,
    addressSpaceLimit: prlimitWorks ? "prlimit" : ulimitWorks ? "ulimit" : null,
    switchUser,
    networkNamespace: netRoot ? "net" : netUser ? "user+net" : null,
    parentDeathSignal: pdeathsig,
    tools,
  };
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
