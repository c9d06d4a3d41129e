import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type {
  ReportDeliveryAttemptRow,
  ReportOutboxRow,
} from "../../tables/report-outbox.js";

export type OutboxRowWithAttempts = Omit<
  ReportOutboxRow,
  "payload" | "channel_options"
> & {
  attempt_log: ReportDeliveryAttemptRow[];
};

const COLUMNS = [
  "id",
  "project_id",
  "execution_id",
  "kind",
  "idempotency_key",
  "target_env",
  "channel_name",
  "channel_kind",
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
] as const;

async function withAttempts(
  db: Kysely<Database>,
  rows: Omit<ReportOutboxRow, "payload" | "channel_options">[],
): Promise<OutboxRowWithAttempts[]> {
  if (rows.length === 0) {
    return [];
  }
  const attempts = await db
    .selectFrom("report_delivery_attempts")
    .selectAll()
    .where(
      "outbox_id",
      "in",
      rows.map((r) => r.id),
    )
    .orderBy("outbox_id")
    .orderBy("attempt")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    ...r,
    attempt_log: attempts.filter((a) => a.outbox_id === r.id),
  }));
}

/** Every outbox row (report and alert) of one execution with its attempt log, oldest first. */
export async function listDeliveriesForExecution(
  db: Kysely<Database>,
  executionId: number,
): Promise<OutboxRowWithAttempts[]> {
  const rows = await db
    .selectFrom("report_outbox")
    .select(COLUMNS)
    .where("execution_id", "=", executionId)
    .orderBy("id")
    .execute();
  return withAttempts(db, rows);
}

export interface ListDeadOptions {
  projectId?: string;
  /** Only these projects (a project-limited token's); empty: none. */
  projectIds?: readonly string[];
  /** Cursor: rows with a smaller id than this (newest first). */
  beforeId?: number;
  limit: number;
}

/** Dead-lettered rows, newest first, with their attempt logs. Served by report_outbox_dead_idx / the primary key. */
export async function listDeadReports(
  db: Kysely<Database>,
  { projectId, projectIds, beforeId, limit }: ListDeadOptions,
): Promise<OutboxRowWithAttempts[]> {
  let q = db
    .selectFrom("report_outbox")
    .select(COLUMNS)
    .where("status", "=", "dead");
  if (projectId !== undefined) {
    q = q.where("project_id", "=", projectId);
  }
  if (projectIds !== undefined) {
    q = q.where(sql<boolean>`project_id = any(${[...projectIds]}::text[])`);
  }
  if (beforeId !== undefined) {
    q = q.where("id", "<", beforeId);
  }
  const rows = await q.orderBy("id", "desc").limit(limit).execute();
  return withAttempts(db, rows);
}
