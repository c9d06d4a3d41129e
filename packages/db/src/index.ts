// The front door of @vigil/db: named exports only. Test fixtures live in "@vigil/db/testing",
// the embedded server in "@vigil/db/embedded". Queries are listed per table in
// ./queries/<table>/index.ts (one statement per file, ./queries/<table>/<verb>.ts), row types in
// ./tables/index.ts.
export {
  createDb,
  createPool,
  type CreateDbOptions,
  type Db,
  type DbHandle,
  type DbTransaction,
} from "./pool.js";
export {
  migrateToLatest,
  pendingMigrations,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SQL_DIR,
  SqlFileMigrationProvider,
  type MigrateResult,
  type SqlDirOption,
} from "./migrate.js";
export {
  PG_ERROR,
  isForeignKeyViolation,
  isRetryable,
  isUniqueViolation,
} from "./errors.js";
export {
  inTransaction,
  isTransactionConflict,
  type TransactionOptions,
} from "./transaction.js";
export { LOCK_KEYS, tryLeaderLock, type LeaderLock } from "./advisory-lock.js";
export {
  createWorkerLock,
  WORKER_LOCK_CLASS,
  WORKER_LOCK_SETTLE_MS,
  type WorkerLock,
  type WorkerLockOptions,
} from "./worker-lock.js";
export {
  CHANNELS,
  listenForNotifications,
  type Channel,
  type ListenOptions,
  type Listener,
} from "./notify.js";
export type { Database } from "./database.js";
export {
  createWorkerPresence,
  newWorkerId,
  type WorkerPresence,
  type WorkerPresenceOptions,
} from "./worker-presence.js";
export { seedDemoData, DEMO_PLANTED } from "./demo/seed-demo-data.js";
export {
  appendAuditEvent,
  type AppendedAuditEvent,
  type AuditEventInput,
} from "./audit/append.js";
export {
  canonicalAuditForm,
  hashAuditEvent,
  type HashedAuditFields,
} from "./audit/canonical.js";
export { redactSecrets, REDACTED } from "./audit/redact.js";
export { verifyAuditChain, type AuditChainVerdict } from "./audit/verify.js";
export {
  API_TOKEN_PREFIX,
  apiTokenSecretHash,
  newApiTokenSecret,
} from "./api-token-secret.js";
export { readProjectAuditState } from "./audit/project-state.js";
export {
  pruneAuditBatch,
  AUDIT_PRUNE_ACTION,
  type AuditPruneRecord,
} from "./audit/prune.js";
export * from "./tables/index.js";
export * from "./queries/index.js";
