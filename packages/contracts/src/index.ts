// The front door of @vigil/contracts: zod schemas shared by api, cli, executor. Named exports only.
export { IsoDurationSchema, isoDurationToMs } from "./duration.js";
export {
  AlertConfigSchema,
  CHANNEL_KINDS,
  ChannelConfigSchema,
  ChannelNameSchema,
  DiscrepancyConfigSchema,
  EmailAddressSchema,
  IMPLICIT_CHANNEL_NAME,
  FINDINGS_PER_RULE_LIMITS,
  PROJECT_LIMITS,
  ProjectConfigSchema,
  REPORT_MODES,
  ReportConfigSchema,
  RetentionConfigSchema,
  TeamNameSchema,
  type ChannelConfig,
  type ChannelKind,
  type ProjectConfig,
  type ProjectConfigInput,
  type ReportMode,
} from "./project-config.js";
export {
  CONCURRENCY_POLICIES,
  MISFIRE_POLICIES,
  ProjectIdSchema,
  ProjectInputSchema,
  RuleIdSchema,
  RuleInputSchema,
  ScheduleInputSchema,
  SEVERITY_LEVELS,
  SeveritySchema,
  type ProjectInput,
  type RuleInput,
  type ScheduleInput,
} from "./entities.js";
export {
  DataSourceSchema,
  EnvVarNameSchema,
  SecretNameSchema,
  SECRET_NAME_PATTERN,
  SECRET_NAME_PREFIX,
  HttpAuthSchema,
  HttpDataSourceSchema,
  HttpPaginationSchema,
  ManualDataSourceSchema,
  RowKeySchema,
  SqlDataSourceSchema,
  type DataSource,
  type DataSourceInput,
  type HttpAuth,
  type HttpDataSource,
  type HttpPagination,
  type ManualDataSource,
  type RowKey,
  type SqlDataSource,
} from "./data-source.js";
export {
  DetectorFindingSchema,
  DetectorResultSchema,
  DetectorRuleResultSchema,
  FINDING_SEVERITIES,
  FindingSeveritySchema,
  SignedDetectorResultSchema,
  type DetectorFinding,
  type DetectorResult,
  type DetectorRuleResult,
  type FindingSeverity,
  type SignedDetectorResult,
} from "./detector-result.js";
export {
  validateProjectInput,
  zodProblems,
  type Problem,
  type ProjectCheckers,
  type ProjectValidation,
} from "./validate-project.js";
// API request/response schemas (issue 8): everything ./api/ exports.
export * from "./api/index.js";
export {
  REPORT_GROUPS,
  REPORT_MAX_FINDINGS_PER_GROUP,
  REPORT_TRANSITION_GROUPS,
  REPORT_VERSION,
  ReportExecutionStatusSchema,
  ReportFindingSchema,
  ReportSchema,
  type Report,
  type ReportGroup,
  type ReportFinding,
  type SeverityCounts,
} from "./report.js";
export {
  buildReport,
  emptyDiscrepancyChanges,
  executionUrl,
  type BuildReportInput,
  type DigestInfo,
  type DiscrepancyChanges,
} from "./build-report.js";
export {
  ReportDeliverySchema,
  type ReportDelivery,
  DeadLetterListResponseSchema,
  DeadLetterQuerySchema,
  ExecutionDeliveriesResponseSchema,
} from "./api/report-deliveries.js";
export {
  convertNamedParameters,
  type PositionalQuery,
  type SqlDialect,
} from "./named-params.js";
export {
  buildWatchdogAlertBody,
  WATCHDOG_REASONS,
  WatchdogEpisodeSchema,
  type WatchdogAlertInput,
  type WatchdogEpisode,
  type WatchdogReasonKind,
} from "./watchdog.js";
export {
  alertChannels,
  perChannel,
  reportChannels,
  type ChannelTarget,
} from "./channel-routing.js";
export {
  CONFIG_REFERENCE_END,
  CONFIG_REFERENCE_START,
  renderConfigReference,
  replaceConfigReference,
} from "./config-reference.js";
