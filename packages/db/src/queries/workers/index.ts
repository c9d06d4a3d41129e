// The queries of workers/, one statement per file; ../index.ts re-exports them.

export { registerWorker, type RegisterWorkerOptions } from "./register.js";
export {
  heartbeatWorker,
  setWorkerStatus,
  type HeartbeatOptions,
} from "./heartbeat.js";
export { markDeadWorkers } from "./mark-dead.js";
export { pruneDeadWorkers } from "./prune.js";
