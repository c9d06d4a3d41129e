export { dbTest, type DbFixtures } from "./db-test.js";
export {
  createTestDatabase,
  type TestDatabase,
  withDatabase,
} from "./test-database.js";
export { waitFor, type WaitForOptions } from "./wait-for.js";
export {
  insertDiscrepancy,
  insertProject,
  insertRule,
  insertSchedule,
  insertTriggers,
  MANUAL_PROJECT_CONFIG,
} from "./builders.js";
export {
  PROMTOOL,
  promtoolCheckMetrics,
  promtoolMissing,
  promtoolTitle,
} from "./promtool.js";
export {
  startStreamingReplica,
  type StreamingReplica,
} from "./streaming-replica.js";
