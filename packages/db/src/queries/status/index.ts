// The queries of status/, one statement per file; ../index.ts re-exports them.

export { listLiveWorkers, type LiveWorker } from "./workers.js";
export {
  readFleetSnapshot,
  type FleetSnapshot,
  type FleetSnapshotOptions,
} from "./metrics.js";
export { databaseNotReady } from "./readiness.js";
export { listTableHealth, type TableHealth } from "./table-health.js";
export { getTransactionAges, type TransactionAges } from "./transaction-age.js";
export { listReplicaLag, type ReplicaLag } from "./replication.js";
export { getRecoveryState, type RecoveryState } from "./recovery.js";
export { readDatabaseHealth, type DatabaseHealth } from "./database-health.js";
