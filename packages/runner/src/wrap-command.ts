import { DEFAULT_SANDBOX_GID, DEFAULT_SANDBOX_UID } from "./capabilities.js";
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

export interface WrappedCommand {
  file: string;
  args: string[];
  /** `uidSwept` is filled in by the caller after the run. */
  applied: AppliedSandbox;
  gid: number;
}

/**
 * Builds `prlimit … -- unshare --net -- setpriv … -- <command> <args>`. Each tool execs the next,
 * so the pid execa sees is the detector's own pid, and the order matters: limits are set while
 * still root (RLIMIT_NPROC is checked at the final execve, as the new uid), `unshare --net` needs
 * root, and setpriv comes last because changing uid clears a parent-death signal set earlier.
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
  const networkIsolated =
    sandbox !== undefined &&
    (sandbox.isolateNetwork ?? true) &&
    caps.networkNamespace !== null;

  const prefix: string[] = [];
  const { prlimit, sh, unshare, setpriv } = caps.tools;
  if (
    addressSpaceMb !== null &&
    caps.addressSpaceLimit === "prlimit" &&
    prlimit
  ) {
    const nproc = maxProcesses === null ? [] : [`--nproc=${maxProcesses}`];
    prefix.push(
      prlimit,
      `--as=${addressSpaceMb * 1024 * 1024}`,
      "--core=0",
      ...nproc,
      "--",
    );
  } else if (addressSpaceMb !== null && sh) {
    const nproc = maxProcesses === null ? "" : ` && ulimit -u ${maxProcesses}`;
    prefix.push(
      sh,
      "-c",
      `ulimit -v ${addressSpaceMb * 1024} && ulimit -c 0${nproc} && exec "$@"`,
      "sh",
    );
  }
  if (networkIsolated && unshare) {
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
      uidSwept: false,
    },
  };
}
