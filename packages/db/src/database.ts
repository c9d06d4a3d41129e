import type { ApiTokensTable } from "./tables/api-tokens.js";
import type { AuditEventsTable } from "./tables/audit-events.js";
import type { BackfillsTable } from "./tables/backfills.js";
import type { DatasetsTable } from "./tables/datasets.js";
import type {
  DiscrepanciesTable,
  DiscrepancyEventsTable,
} from "./tables/discrepancies.js";
import type { DryRunRequestsTable } from "./tables/dry-run-requests.js";
import type { ExecutionInputsTable } from "./tables/execution-inputs.js";
import type { ExecutionsTable } from "./tables/executions.js";
import type { FindingsTable } from "./tables/findings.js";
import type { MaintenanceRunsTable } from "./tables/maintenance-runs.js";
import type { ProjectsTable } from "./tables/projects.js";
import type {
  ReportDeliveryAttemptsTable,
  ReportOutboxTable,
} from "./tables/report-outbox.js";
import type {
  ProjectAlertStatesTable,
  ReportDigestsTable,
} from "./tables/report-state.js";
import type { RulesTable } from "./tables/rules.js";
import type { SchedulesTable } from "./tables/schedules.js";
import type { TriggersTable } from "./tables/triggers.js";
import type { WatchdogEpisodesTable } from "./tables/watchdog-episodes.js";
import type { WorkersTable } from "./tables/workers.js";

/** The whole schema as kysely sees it; `schema.test.ts` checks it against the migrated database. */
export interface Database {
  projects: ProjectsTable;
  schedules: SchedulesTable;
  rules: RulesTable;
  triggers: TriggersTable;
  executions: ExecutionsTable;
  findings: FindingsTable;
  discrepancies: DiscrepanciesTable;
  discrepancy_events: DiscrepancyEventsTable;
  report_outbox: ReportOutboxTable;
  report_delivery_attempts: ReportDeliveryAttemptsTable;
  project_alert_states: ProjectAlertStatesTable;
  report_digests: ReportDigestsTable;
  datasets: DatasetsTable;
  workers: WorkersTable;
  watchdog_episodes: WatchdogEpisodesTable;
  api_tokens: ApiTokensTable;
  maintenance_runs: MaintenanceRunsTable;
  audit_events: AuditEventsTable;
  backfills: BackfillsTable;
  execution_inputs: ExecutionInputsTable;
  dry_run_requests: DryRunRequestsTable;
}
