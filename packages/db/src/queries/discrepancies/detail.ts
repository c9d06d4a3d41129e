import type { Db } from "../../pool.js";
import type { Severity } from "../../tables/common.js";
import type {
  DiscrepancyEventRow,
  DiscrepancyRow,
} from "../../tables/discrepancies.js";
import type { ExecutionStatus } from "../../tables/executions.js";

/** One execution that found the discrepancy, with what it said then. */
export interface DiscrepancySighting {
  execution_id: number;
  scheduled_for: Date;
  finished_at: Date | null;
  status: ExecutionStatus;
  severity: Severity;
  message: string;
}

export interface DiscrepancyDetail {
  discrepancy: DiscrepancyRow;
  /** Oldest first; at most `eventsLimit`. */
  events: DiscrepancyEventRow[];
  events_truncated: boolean;
  /** Newest first; at most `seenInLimit` (the cleaner prunes old executions and their findings). */
  seen_in: DiscrepancySighting[];
  seen_in_truncated: boolean;
}

/** A discrepancy with its history: every change of its state and the executions that found it. */
export async function getDiscrepancyDetail(
  db: Db,
  o: {
    projectId: string;
    fingerprint: string;
    eventsLimit: number;
    seenInLimit: number;
  },
): Promise<DiscrepancyDetail | undefined> {
  const discrepancy = await db
    .selectFrom("discrepancies")
    .selectAll()
    .where("project_id", "=", o.projectId)
    .where("fingerprint", "=", o.fingerprint)
    .executeTakeFirst();
  if (discrepancy === undefined) {
    return undefined;
  }
  const [events, seenIn] = await Promise.all([
    db
      .selectFrom("discrepancy_events")
      .selectAll()
      .where("project_id", "=", o.projectId)
      .where("fingerprint", "=", o.fingerprint)
      .orderBy("id")
      .limit(o.eventsLimit + 1)
      .execute(),
    // findings_project_fingerprint_idx
    db
      .selectFrom("findings as f")
      .innerJoin("executions as e", "e.id", "f.execution_id")
      .select([
        "f.execution_id",
        "e.scheduled_for",
        "e.finished_at",
        "e.status",
        "f.severity",
        "f.message",
      ])
      .where("f.project_id", "=", o.projectId)
      .where("f.fingerprint", "=", o.fingerprint)
      .orderBy("f.execution_id", "desc")
      .limit(o.seenInLimit + 1)
      .execute(),
  ]);
  return {
    discrepancy,
    events: events.slice(0, o.eventsLimit),
    events_truncated: events.length > o.eventsLimit,
    seen_in: seenIn.slice(0, o.seenInLimit),
    seen_in_truncated: seenIn.length > o.seenInLimit,
  };
}
