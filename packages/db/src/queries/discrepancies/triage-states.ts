import type { Db } from "../../pool.js";

/** The triage fields of some discrepancies, by fingerprint: what an audited triage records as `before`. */
export async function listTriageStates(
  db: Db,
  projectId: string,
  fingerprints: readonly string[],
) {
  return db
    .selectFrom("discrepancies")
    .select([
      "fingerprint",
      "status",
      "assignee",
      "note",
      "muted_until",
      "status_reason",
    ])
    .where("project_id", "=", projectId)
    .where("fingerprint", "in", [...fingerprints])
    .orderBy("fingerprint")
    .execute();
}
