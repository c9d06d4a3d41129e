export {
  runService,
  type RunServiceOptions,
  type Service,
} from "./run-service.js";
export { onSupervisorGone } from "./supervisor-lifeline.js";
export {
  startOpsServer,
  type OpsServer,
  type OpsServerOptions,
  type ReadinessCheck,
} from "./ops-server.js";
export { collectProcessMetrics } from "./process-metrics.js";
