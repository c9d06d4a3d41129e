export { runService, type RunServiceOptions, type Service } from "./run-service.js";
