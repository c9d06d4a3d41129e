import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { Severity } from "../../tables/common.js";
import type {
  DiscrepancyRow,
  DiscrepancyStatus,
} from "../../tables/discrepancies.js";
import { severityRank } from "./severity-rank.js";

/** Where a page ends: the sort key of its last row. */
export interface DiscrepancyListPosition {
  attention: number;
  /** last_seen_at in microseconds since the epoch, exact (a JS Date keeps only milliseconds). */
  seenMicros: string;
  fingerprint: string;
}

export interface ListDiscrepanciesOptions {
  projectId: string;
  /** Unset: every status (resolved and expired ones only since `closedSince`). */
  statuses?: readonly DiscrepancyStatus[];
  /** Resolved and expired discrepancies are listed when they closed at or after this. */
  closedSince: Date;
  severities?: readonly Severity[];
  ruleId?: string;
  assignee?: string;
  after?: DiscrepancyListPosition;
  limit: number;
}

export type ListedDiscrepancy = DiscrepancyRow & {
  /** The sort key, for the next page's cursor. */
  position: DiscrepancyListPosition;
};

/**
 * A project's discrepancies in the order that needs attention first: regressions (open again
 * after a resolve), then open, acknowledged, muted, resolved and expired ones; within each the
 * most severe, then the most recently seen. Keyset-paged on that order, so a page never
 * repeats or skips a row that keeps its place.
 */
export async function listProjectDiscrepancies(
  db: Db,
  o: ListDiscrepanciesOptions,
): Promise<ListedDiscrepancy[]> {
  const attention = sql<number>`(CASE
      WHEN d.status = 'open' AND d.reopened_at IS NOT NULL THEN 0
      WHEN d.status = 'open' THEN 1
      WHEN d.status = 'acknowledged' THEN 2
      WHEN d.status = 'muted' THEN 3
      WHEN d.status = 'resolved' THEN 4
      ELSE 5
    END) * 10 + 5 - ${severityRank(sql`d.severity`)}`;
  const seenMicros = sql<string>`(extract(epoch FROM d.last_seen_at) * 1000000)::bigint`;
  const statuses = o.statuses ?? [];
  const severities = o.severities ?? [];
  const after = o.after;
  const { rows } = await sql<
    DiscrepancyRow & { attention: number; seen_micros: string }
  >`
    SELECT * FROM (
      SELECT d.*, ${attention} AS attention, ${seenMicros}::text AS seen_micros
      FROM discrepancies d
      WHERE d.project_id = ${o.projectId}
        AND (cardinality(${statuses}::text[]) = 0 OR d.status = ANY(${statuses}::text[]))
        AND (d.status NOT IN ('resolved', 'expired')
             OR coalesce(d.resolved_at, d.expired_at, d.status_changed_at) >= ${o.closedSince})
        AND (cardinality(${severities}::text[]) = 0 OR d.severity = ANY(${severities}::text[]))
        AND (${o.ruleId ?? null}::text IS NULL OR d.rule_id = ${o.ruleId ?? null})
        AND (${o.assignee ?? null}::text IS NULL OR d.assignee = ${o.assignee ?? null})
    ) d
    WHERE ${
      after === undefined
        ? sql`true`
        : sql`(d.attention > ${after.attention}
               OR (d.attention = ${after.attention}
                   AND (d.seen_micros::bigint < ${after.seenMicros}::bigint
                        OR (d.seen_micros::bigint = ${after.seenMicros}::bigint
                            AND d.fingerprint > ${after.fingerprint}))))`
    }
    ORDER BY d.attention, d.seen_micros::bigint DESC, d.fingerprint
    LIMIT ${o.limit}`.execute(db);
  return rows.map(({ attention: a, seen_micros, ...row }) => ({
    ...row,
    position: {
      attention: Number(a),
      seenMicros: seen_micros,
      fingerprint: row.fingerprint,
    },
  }));
}
