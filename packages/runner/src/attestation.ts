import type { AppliedSandbox, SandboxCapabilities } from "./types.js";

/** The isolation layers an execution records as held or not (`executions.sandbox`). */
export const SANDBOX_LAYERS = [
  "mount_namespace",
  "pid_namespace",
  "network_namespace",
  "other_uid",
  "memory_cap",
  "disk_cap",
  "process_cap",
  "permission_model",
] as const;

export type SandboxLayer = (typeof SANDBOX_LAYERS)[number];
export type SandboxAttestation = Record<SandboxLayer, boolean>;

/** Which layers one run actually got, from what the runner applied to it. */
export function attestSandbox(applied: AppliedSandbox): SandboxAttestation {
  return {
    mount_namespace: applied.mountNamespace,
    pid_namespace: applied.pidNamespace,
    network_namespace: applied.networkIsolated,
    other_uid: applied.uid !== null,
    memory_cap: applied.addressSpaceMb !== null,
    disk_cap: applied.diskMb !== null,
    process_cap: applied.maxProcesses !== null,
    permission_model: applied.permissionModel,
  };
}

/**
 * For each layer, why this host cannot hold it (`null`: it can), so an operator's
 * `SANDBOX_REQUIRE` can be refused at start-up with the reason instead of at the first run.
 */
export function missingLayers(
  caps: SandboxCapabilities,
): Record<SandboxLayer, string | null> {
  const bwrap =
    caps.mountNamespace !== null
      ? null
      : `bwrap cannot create a mount namespace here: ${caps.mountNamespaceProblem ?? "unknown reason"}`;
  const uid = caps.switchUser
    ? null
    : caps.isRoot
      ? "setpriv cannot switch to uid 65534 here"
      : "the executor does not run as root, so detectors cannot run as another uid";
  const limits = caps.addressSpaceLimit
    ? null
    : "neither prlimit nor sh ulimit can set resource limits here";
  return {
    mount_namespace: bwrap,
    pid_namespace: bwrap,
    network_namespace:
      caps.mountNamespace !== null || caps.networkNamespace !== null
        ? null
        : `neither bwrap nor unshare can create a network namespace here (${bwrap})`,
    other_uid: uid,
    memory_cap: limits,
    disk_cap: limits,
    // RLIMIT_NPROC counts every task of a uid, so it caps a run only under a uid of its own
    process_cap: uid ?? limits,
    permission_model: null,
  };
}
