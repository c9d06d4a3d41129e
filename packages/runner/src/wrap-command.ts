import { DEFAULT_SANDBOX_GID, DEFAULT_SANDBOX_UID } from "./capabilities.js";
import { mountNamespaceArgs } from "./mount-namespace.js";
import {
  DEFAULT_ADDRESS_SPACE_OVERHEAD_MB,
  isNodeCommand,
  withHeapLimit,
} from "./memory.js";
import type {
  AppliedSandbox,
  RunRequest,
  SandboxCapabilities,
} from "./types.js";

export const DEFAULT_MAX_PROCESSES = 128;
export const DEFAULT_MAX_OPEN_FILES = 256;

export interface WrappedCommand {
  file: string;
  args: string[];
  /** `uidSwept` is filled in by the caller after the run. */
  applied: AppliedSandbox;
  gid: number;
}

/**
 * Builds `prlimit … -- bwrap … -- setpriv … -- <command> <args>` (or `unshare --net` in place of
 * bwrap where the host has no working bubblewrap). Each tool but bwrap execs the next; bwrap
 * forks, so the pid execa sees is bwrap's. The order matters: limits are set while still root
 * and are inherited through bwrap (RLIMIT_NPROC is checked at the final execve, as the new
 * uid); the namespaces are made while root, since as root bwrap makes them without a user
 * namespace and keeps the capabilities setpriv needs; setpriv comes last because changing uid
 * clears a parent-death signal set earlier, and so the uid switch happens inside the namespaces.
 */
export function wrapCommand(
  req: Pick<RunRequest, "command" | "args" | "memoryMb" | "sandbox">,
  caps: SandboxCapabilities,
): WrappedCommand {
  const sandbox = req.sandbox;
  const overheadMb =
    sandbox?.addressSpaceOverheadMb ?? DEFAULT_ADDRESS_SPACE_OVERHEAD_MB;
  const addressSpaceMb = caps.addressSpaceLimit
    ? req.memoryMb + overheadMb
    : null;
  const heapMb = isNodeCommand(req.command) ? req.memoryMb : null;
  const switchUser = sandbox !== undefined && caps.switchUser;
  const uid = switchUser ? (sandbox.uid ?? DEFAULT_SANDBOX_UID) : null;
  const gid = sandbox?.gid ?? DEFAULT_SANDBOX_GID;
  const maxProcesses = switchUser
    ? (sandbox.maxProcesses ?? DEFAULT_MAX_PROCESSES)
    : null;
  const mountNamespace =
    sandbox?.filesystem !== undefined &&
    caps.mountNamespace !== null &&
    caps.tools.bwrap !== undefined;
  const wantNetwork = sandbox !== undefined && (sandbox.isolateNetwork ?? true);
  const networkIsolated =
    wantNetwork && (mountNamespace || caps.networkNamespace !== null);
  const diskMb =
    sandbox?.diskMb !== undefined && caps.addressSpaceLimit
      ? sandbox.diskMb
      : null;
  const maxOpenFiles =
    sandbox !== undefined && caps.addressSpaceLimit
      ? (sandbox.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES)
      : null;
  const permissionModel =
    isNodeCommand(req.command) &&
    req.args.some(
      (arg) => arg === "--permission" || arg === "--experimental-permission",
    );

  const prefix: string[] = [];
  const { prlimit, sh, unshare, setpriv, bwrap } = caps.tools;
  if (
    addressSpaceMb !== null &&
    caps.addressSpaceLimit === "prlimit" &&
    prlimit
  ) {
    const nproc = maxProcesses === null ? [] : [`--nproc=${maxProcesses}`];
    const fsize = diskMb === null ? [] : [`--fsize=${diskMb * 1024 * 1024}`];
    const nofile = maxOpenFiles === null ? [] : [`--nofile=${maxOpenFiles}`];
    prefix.push(
      prlimit,
      `--as=${addressSpaceMb * 1024 * 1024}`,
      "--core=0",
      ...nproc,
      ...fsize,
      ...nofile,
      "--",
    );
  } else if (addressSpaceMb !== null && sh) {
    const nproc = maxProcesses === null ? "" : ` && ulimit -u ${maxProcesses}`;
    const fsize = diskMb === null ? "" : ` && ulimit -f ${diskMb * 1024}`;
    const nofile = maxOpenFiles === null ? "" : ` && ulimit -n ${maxOpenFiles}`;
    prefix.push(
      sh,
      "-c",
      `ulimit -v ${addressSpaceMb * 1024} && ulimit -c 0${nproc}${fsize}${nofile} && exec "$@"`,
      "sh",
    );
  }
  if (mountNamespace && bwrap && sandbox?.filesystem) {
    prefix.push(
      bwrap,
      ...mountNamespaceArgs({
        read: sandbox.filesystem.read,
        write: sandbox.filesystem.write,
        tmpBytes: diskMb === null ? null : diskMb * 1024 * 1024,
        isolateNetwork: networkIsolated,
        userNamespace: caps.mountNamespace === "user",
      }),
      // bwrap sets PWD; the child's environment is exactly `env`
      ...(caps.tools.env ? [caps.tools.env, "-u", "PWD", "--"] : []),
    );
  } else if (networkIsolated && unshare) {
    prefix.push(
      unshare,
      ...(caps.networkNamespace === "net" ? ["--net"] : ["--user", "--net"]),
      "--",
    );
  }
  if (setpriv && (uid !== null || caps.parentDeathSignal)) {
    const user =
      uid === null
        ? []
        : [
            `--reuid=${uid}`,
            `--regid=${gid}`,
            "--clear-groups",
            "--no-new-privs",
          ];
    const pdeathsig = caps.parentDeathSignal ? ["--pdeathsig", "SIGKILL"] : [];
    prefix.push(setpriv, ...user, ...pdeathsig, "--");
  }

  const args = heapMb === null ? req.args : withHeapLimit(req.args, heapMb);
  const [file, ...rest] = [...prefix, req.command, ...args];
  return {
    file: file!,
    args: rest,
    gid,
    applied: {
      addressSpaceMb,
      heapMb,
      uid,
      networkIsolated,
      maxProcesses,
      parentDeathSignal: caps.parentDeathSignal,
      mountNamespace,
      pidNamespace: mountNamespace,
      diskMb,
      maxOpenFiles,
      permissionModel,
      uidSwept: false,
    },
  };
}
