export {
  EXECUTION_STATUSES,
  ExecutionStatusSchema,
} from "./execution-status.js";
export {
  API_ERROR_CODES,
  API_ERROR_STATUS,
  ApiErrorSchema,
  ValidationIssueSchema,
  type ApiError,
  type ApiErrorCode,
  type ValidationIssue,
} from "./errors.js";
export {
  CursorSchema,
  DataUploadQuerySchema,
  CommaListSchema,
  EmptyQuerySchema,
  ExecutionDetailQuerySchema,
  ExecutionListQuerySchema,
  PageLimitSchema,
  ProjectListQuerySchema,
  QueueQuerySchema,
  StatsQuerySchema,
} from "./queries.js";
export {
  CronPreviewRequestSchema,
  DatasetJsonUploadSchema,
  DatasetRowsSchema,
  ProjectPatchSchema,
  RulePatchSchema,
  SchedulePatchSchema,
  TriggerRunRequestSchema,
} from "./bodies.js";
export {
  ApplyProjectResponseSchema,
  CreatedProjectResponseSchema,
  CronPreviewResponseSchema,
  DatasetResponseSchema,
  DeletedResponseSchema,
  ExecutionDetailResponseSchema,
  ExecutionListResponseSchema,
  ExecutionSummarySchema,
  SandboxAttestationSchema,
  FindingSchema,
  ProjectDetailResponseSchema,
  ProjectListResponseSchema,
  ProjectSchema,
  RuleSchema,
  ScheduleSchema,
  ScheduleWithNextRunsSchema,
  StatsResponseSchema,
  TriggerResponseSchema,
} from "./responses.js";
export {
  CleanupResponseSchema,
  HealthResponseSchema,
  QueueDepthSchema,
  QueueItemSchema,
  QueueResponseSchema,
  ReadyResponseSchema,
  RefreshResponseSchema,
  StatusResponseSchema,
  WorkerSchema,
} from "./operations-responses.js";
export {
  AuditEventSchema,
  AuditListQuerySchema,
  AuditListResponseSchema,
} from "./audit.js";
export {
  API_SCOPES,
  ScopeSchema,
  TokenCreateRequestSchema,
  TokenCreatedResponseSchema,
  TokenListResponseSchema,
  TokenNameSchema,
  TokenSchema,
  type Scope,
  type Token,
  type TokenCreateRequest,
} from "./tokens.js";
export {
  RUN_STATUSES,
  RunListQuerySchema,
  RunListResponseSchema,
  RunSchema,
} from "./runs.js";
export {
  DISCREPANCY_STATUSES,
  DiscrepancyBulkTriageResponseSchema,
  DiscrepancyBulkTriageSchema,
  DiscrepancyDetailResponseSchema,
  DiscrepancyEventSchema,
  DiscrepancyListQuerySchema,
  DiscrepancyListResponseSchema,
  DiscrepancyParamsSchema,
  DiscrepancySchema,
  DiscrepancyTriageSchema,
  FingerprintSchema,
  TRIAGE_STATUSES,
} from "./discrepancies.js";
export {
  ChannelTestRequestSchema,
  ChannelTestResponseSchema,
  type ChannelTestRequest,
  type ChannelTestResponse,
} from "./channels.js";
export {
  BACKFILL_CONCURRENCY,
  BACKFILL_MAX_WINDOWS,
  BACKFILL_STATUSES,
  BackfillRequestSchema,
  BackfillResponseSchema,
  backfillWindowCount,
  type BackfillRequest,
  type BackfillResponse,
} from "./backfills.js";
export {
  DRY_RUN_MAX_ROWS,
  DRY_RUN_MAX_RULES,
  DryRunFindingSchema,
  DryRunPlanEntrySchema,
  DryRunPlanSchema,
  DryRunRequestSchema,
  DryRunResponseSchema,
  DryRunRuleResultSchema,
  type DryRunPlan,
  type DryRunRequest,
  type DryRunResponse,
} from "./dry-run.js";
