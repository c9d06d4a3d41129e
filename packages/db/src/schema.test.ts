import { sql } from "kysely";
import { describe, expect } from "vitest";

import { dbTest } from "./testing/db-test.js";

/**
 * The hand-written table interfaces must match the migrated schema. TypeScript types vanish at
 * run time, so the expected columns are listed here once more, and the test fails when either
 * side changes alone.
 */
const EXPECTED: Record<string, string[]> = {
  projects: [
    "id",
    "name",
    "description",
    "config",
    "is_active",
    "version",
    "created_at",
    "updated_at",
    "max_concurrency",
    "max_attempts",
    "team",
  ],
  schedules: [
    "id",
    "project_id",
    "cron_expression",
    "timezone",
    "concurrency_policy",
    "misfire_policy",
    "starting_deadline_seconds",
    "is_active",
    "version",
    "materialized_until",
    "invalid_reason",
    "created_at",
    "updated_at",
    "materialized_version",
    "next_unmaterialized_at",
  ],
  rules: [
    "id",
    "project_id",
    "rule_id",
    "definition_id",
    "description",
    "category",
    "severity",
    "logic",
    "code",
    "explanation",
    "parameters",
    "dependencies",
    "is_active",
    "created_at",
    "updated_at",
  ],
  triggers: [
    "id",
    "schedule_id",
    "project_id",
    "fire_at",
    "available_at",
    "source",
    "status",
    "attempt",
    "max_attempts",
    "concurrency_policy",
    "starting_deadline_seconds",
    "schedule_version",
    "window_start",
    "window_end",
    "requested_by",
    "claimed_by",
    "claimed_at",
    "lease_expires_at",
    "last_error",
    "finished_at",
    "created_at",
    "updated_at",
    "rescues",
    "skipped_for_trigger_id",
    "team",
  ],
  executions: [
    "id",
    "trigger_id",
    "project_id",
    "attempt",
    "status",
    "source",
    "scheduled_for",
    "started_at",
    "finished_at",
    "duration_ms",
    "exit_code",
    "signal",
    "error_message",
    "stdout_tail",
    "stderr_tail",
    "stdout_bytes",
    "stderr_bytes",
    "findings_count",
    "rules_total",
    "rules_failed",
    "rule_results",
    "row_count",
    "detector_hash",
    "worker_id",
    "window_start",
    "window_end",
    "created_at",
    "sandbox",
  ],
  findings: [
    "id",
    "execution_id",
    "project_id",
    "rule_id",
    "severity",
    "fingerprint",
    "finding_key",
    "message",
    "data",
    "created_at",
  ],
  discrepancies: [
    "project_id",
    "fingerprint",
    "rule_id",
    "finding_key",
    "severity",
    "message",
    "data",
    "status",
    "occurrences",
    "first_seen_at",
    "last_seen_at",
    "resolved_at",
    "first_execution_id",
    "last_execution_id",
    "resolved_execution_id",
    "row_key",
    "assignee",
    "note",
    "muted_until",
    "status_reason",
    "status_changed_at",
    "status_changed_by",
    "regressions",
    "reopened_at",
    "last_evaluated_at",
    "last_evaluated_execution_id",
    "not_evaluated_since",
    "expired_at",
  ],
  discrepancy_events: [
    "id",
    "project_id",
    "fingerprint",
    "at",
    "actor",
    "change",
    "from_status",
    "to_status",
    "reason",
    "execution_id",
    "details",
  ],
  report_outbox: [
    "id",
    "project_id",
    "execution_id",
    "kind",
    "idempotency_key",
    "target_env",
    "payload",
    "status",
    "attempts",
    "max_attempts",
    "next_attempt_at",
    "claimed_by",
    "lease_expires_at",
    "last_status_code",
    "last_error",
    "delivered_at",
    "dead_at",
    "created_at",
    "updated_at",
  ],
  report_delivery_attempts: [
    "id",
    "outbox_id",
    "attempt",
    "worker_id",
    "started_at",
    "latency_ms",
    "status_code",
    "error",
    "created_at",
  ],
  datasets: [
    "id",
    "project_id",
    "format",
    "filename",
    "rows",
    "row_count",
    "size_bytes",
    "sha256",
    "uploaded_by",
    "uploaded_at",
  ],
  workers: [
    "id",
    "app",
    "hostname",
    "pid",
    "version",
    "status",
    "concurrency",
    "running",
    "info",
    "started_at",
    "last_heartbeat_at",
    "stopped_at",
    "presence_lock",
  ],
  maintenance_runs: [
    "id",
    "worker_id",
    "kind",
    "started_at",
    "finished_at",
    "duration_ms",
    "pruned",
    "error",
  ],
  audit_events: [
    "id",
    "at",
    "actor",
    "action",
    "target",
    "request_id",
    "diff",
    "prev_hash",
    "hash",
  ],
  api_tokens: [
    "name",
    "secret_hash",
    "scopes",
    "projects",
    "created_at",
    "created_by",
    "last_used_at",
    "expires_at",
    "revoked_at",
  ],
  watchdog_episodes: [
    "id",
    "project_id",
    "schedule_id",
    "opened_at",
    "closed_at",
    "close_reason",
    "expected_at",
    "last_finished_at",
    "reason",
    "detail",
    "alerted_at",
    "updated_at",
  ],
};

describe("schema", () => {
  dbTest(
    "every table of the kysely Database interface exists with exactly the listed columns",
    async ({ db }) => {
      const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and table_name not like 'vigil\\_%'
      order by table_name, ordinal_position`.execute(db);
      const actual: Record<string, string[]> = {};
      for (const r of rows) {
        (actual[r.table_name] ??= []).push(r.column_name);
      }
      expect(actual).toEqual(EXPECTED);
    },
  );

  dbTest(
    "the unique key on (schedule_id, fire_at) makes a scheduled run once",
    async ({ db }) => {
      const { rows } = await sql<{ def: string }>`
      select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'triggers_schedule_fire_at_key'`.execute(
        db,
      );
      expect(rows[0]?.def).toBe("UNIQUE (schedule_id, fire_at)");
    },
  );

  dbTest("status columns reject values outside their lists", async ({ db }) => {
    await db
      .insertInto("projects")
      .values({ id: "p-check", name: "p", config: "{}" })
      .execute();
    await expect(
      db
        .insertInto("triggers")
        .values({
          project_id: "p-check",
          fire_at: new Date(),
          available_at: new Date(),
          source: "schedule",
          status: "bogus" as never,
        })
        .execute(),
    ).rejects.toThrow(/triggers_status_check/);
  });
});
