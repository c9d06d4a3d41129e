export {
  runSandboxed,
  prestartSandboxed,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
} from "./run-sandboxed.js";
export {
  detectSandboxCapabilities,
  DEFAULT_SANDBOX_GID,
  DEFAULT_SANDBOX_UID,
} from "./capabilities.js";
export { nodePermissionFlags } from "./node-permission.js";
export { prepareSandboxDir } from "./sandbox-dir.js";
export { DEFAULT_ADDRESS_SPACE_OVERHEAD_MB } from "./memory.js";
export {
  DEFAULT_MAX_OPEN_FILES,
  DEFAULT_MAX_PROCESSES,
} from "./wrap-command.js";
export {
  attestSandbox,
  missingLayers,
  SANDBOX_LAYERS,
  type SandboxAttestation,
  type SandboxLayer,
} from "./attestation.js";
export type {
  DispatchRequest,
  PrestartedRun,
  PrestartRequest,
} from "./run-sandboxed.js";
export type {
  AppliedSandbox,
  CapturedOutput,
  RunRequest,
  RunResult,
  SandboxCapabilities,
  SandboxOptions,
} from "./types.js";
