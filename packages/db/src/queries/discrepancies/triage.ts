import { sql } from "kysely";

import type { Db, DbTransaction } from "../../pool.js";
import { toJson, type JsonValue } from "../../tables/common.js";
import type {
  DiscrepancyRow,
  DiscrepancyStatus,
} from "../../tables/discrepancies.js";
import { inTransaction } from "../../transaction.js";

/** The statuses a person may set; `expired` is the system's alone. */
export const TRIAGE_STATUSES = [
  "open",
  "acknowledged",
  "muted",
  "resolved",
] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

/**
 * Which statuses each triage status may be set from. Setting the status a discrepancy already
 * has is allowed where it carries new facts (a new assignee, note, or mute end); resolving a
 * resolved one or opening an open one is refused, so a stale screen cannot silently rewrite
 * who closed it and why.
 */
export const TRIAGE_FROM: Readonly<
  Record<TriageStatus, readonly DiscrepancyStatus[]>
> = {
  acknowledged: ["open", "acknowledged", "muted"],
  muted: ["open", "acknowledged", "muted"],
  resolved: ["open", "acknowledged", "muted"],
  open: ["acknowledged", "muted", "resolved", "expired"],
};

export interface TriageChange {
  status: TriageStatus;
  reason?: string | null;
  /** Required for `muted`, ignored otherwise. */
  mutedUntil?: Date;
  /** undefined: keep; null: clear. */
  assignee?: string | null;
  note?: string | null;
}

export type TriageResult =
  | { kind: "applied"; rows: DiscrepancyRow[] }
  | { kind: "missing"; fingerprints: string[] }
  | {
      kind: "refused";
      conflicts: Array<{ fingerprint: string; status: DiscrepancyStatus }>;
    };

/**
 * Sets the triage state of discrepancies by hand, all or none: it locks them (in fingerprint
 * order, so two bulk changes cannot deadlock each other), refuses the whole change when one is
 * missing or may not move to `change.status`, else updates them and appends one event each, in
 * one transaction. A later run moves them on as docs/discrepancies.md says (a
 * hand-resolved one found again is reopened as a regression). In `db`'s transaction when it is
 * one (an audited API write), else in its own.
 */
export async function applyTriage(
  db: Db,
  o: TriageOptions,
): Promise<TriageResult> {
  return inTransaction(db, (trx) => applyTriageIn(trx, o));
}

interface TriageOptions {
  projectId: string;
  fingerprints: readonly string[];
  change: TriageChange;
  actor: string;
}

async function applyTriageIn(
  trx: DbTransaction,
  o: TriageOptions,
): Promise<TriageResult> {
  const wanted = [...new Set(o.fingerprints)];
  const before = await trx
    .selectFrom("discrepancies")
    .select(["fingerprint", "status", "assignee", "muted_until"])
    .where("project_id", "=", o.projectId)
    .where("fingerprint", "in", wanted)
    .orderBy("fingerprint")
    .forUpdate()
    .execute();
  const found = new Map(before.map((r) => [r.fingerprint, r]));
  const missing = wanted.filter((f) => !found.has(f));
  if (missing.length > 0) {
    return { kind: "missing", fingerprints: missing };
  }
  const allowed = TRIAGE_FROM[o.change.status];
  const conflicts = before
    .filter((r) => !allowed.includes(r.status))
    .map((r) => ({ fingerprint: r.fingerprint, status: r.status }));
  if (conflicts.length > 0) {
    return { kind: "refused", conflicts };
  }

  const c = o.change;
  const rows = await trx
    .updateTable("discrepancies")
    .set({
      status: c.status,
      status_reason: c.reason ?? null,
      status_changed_at: sql`now()`,
      status_changed_by: o.actor,
      muted_until: c.status === "muted" ? (c.mutedUntil ?? null) : null,
      expired_at: null,
      ...(c.status === "resolved"
        ? { resolved_at: sql`now()`, resolved_execution_id: null }
        : { resolved_at: null, resolved_execution_id: null }),
      ...(c.assignee !== undefined && { assignee: c.assignee }),
      ...(c.note !== undefined && { note: c.note }),
    })
    .where("project_id", "=", o.projectId)
    .where("fingerprint", "in", wanted)
    .returningAll()
    .execute();

  await trx
    .insertInto("discrepancy_events")
    .values(
      rows.map((row) => {
        const previous = found.get(row.fingerprint)!;
        const details = eventDetails(c, previous, row);
        return {
          project_id: o.projectId,
          fingerprint: row.fingerprint,
          actor: o.actor,
          change: eventName(c.status, previous, row),
          from_status: previous.status,
          to_status: row.status,
          reason: c.reason ?? null,
          execution_id: null,
          details: details === null ? null : toJson(details),
        };
      }),
    )
    .execute();
  rows.sort(
    (a, b) => wanted.indexOf(a.fingerprint) - wanted.indexOf(b.fingerprint),
  );
  return { kind: "applied", rows };
}

type Previous = Pick<DiscrepancyRow, "status" | "assignee" | "muted_until">;

/** The event's `change`, as migrations/0021_discrepancy_triage.sql lists them. */
function eventName(
  to: TriageStatus,
  previous: Previous,
  row: DiscrepancyRow,
): string {
  if (to === "open") {
    return "opened";
  }
  if (
    to === "acknowledged" &&
    previous.status === "acknowledged" &&
    previous.assignee !== row.assignee
  ) {
    return "assigned";
  }
  return to;
}

function eventDetails(
  c: TriageChange,
  previous: Previous,
  row: DiscrepancyRow,
): JsonValue | null {
  const details: Record<string, JsonValue> = {};
  if (previous.assignee !== row.assignee) {
    details.assignee = { from: previous.assignee, to: row.assignee };
  }
  if (row.muted_until !== null) {
    details.muted_until = row.muted_until.toISOString();
  }
  if (c.note !== undefined) {
    details.note = c.note;
  }
  return Object.keys(details).length === 0 ? null : details;
}
