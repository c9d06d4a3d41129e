export {
  runService,
  type RunServiceOptions,
  type Service,
} from "./run-service.js";
export { onSupervisorGone } from "./supervisor-lifeline.js";
