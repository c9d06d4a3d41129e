import type { Db } from "../../pool.js";
import type {
  DiscrepancyRow,
  DiscrepancyStatus,
} from "../../tables/discrepancies.js";

export interface ListDiscrepanciesOptions {
  projectId: string;
  /** Unset: open ones plus those resolved since `resolvedSince`. */
  status?: DiscrepancyStatus;
  resolvedSince: Date;
  limit: number;
}

/** Open and recently resolved discrepancies, most recently seen first (discrepancies_project_status_idx). */
export async function listProjectDiscrepancies(
  db: Db,
  o: ListDiscrepanciesOptions,
): Promise<DiscrepancyRow[]> {
  let q = db
    .selectFrom("discrepancies")
    .selectAll()
    .where("project_id", "=", o.projectId);
  if (o.status === "open") {
    q = q.where("status", "=", "open");
  } else if (o.status === "resolved") {
    q = q
      .where("status", "=", "resolved")
      .where("resolved_at", ">=", o.resolvedSince);
  } else {
    q = q.where((eb) =>
      eb.or([
        eb("status", "=", "open"),
        eb.and([
          eb("status", "=", "resolved"),
          eb("resolved_at", ">=", o.resolvedSince),
        ]),
      ]),
    );
  }
  return q
    .orderBy("status")
    .orderBy("last_seen_at", "desc")
    .orderBy("fingerprint")
    .limit(o.limit)
    .execute();
}
