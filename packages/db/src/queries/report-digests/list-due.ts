import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { JsonValue } from "../../tables/common.js";

export interface DigestProject {
  projectId: string;
  name: string;
  config: JsonValue;
  /** `report.digest` as written (ISO 8601). */
  digest: string;
  lastSentAt: Date | null;
  /** Whether finished executions wait for a digest. */
  waiting: boolean;
}

/**
 * Active projects whose config sets `report.digest`, with when their last digest went out
 * (null: never) and whether executions wait for one: the candidates a flush re-checks under
 * the digest row's lock. A project has at most one row here; the list is as long as the number
 * of digest projects.
 */
export async function listDigestProjects(
  db: Kysely<Database>,
): Promise<DigestProject[]> {
  const { rows } = await sql<{
    project_id: string;
    name: string;
    config: JsonValue;
    digest: string;
    last_sent_at: Date | null;
    waiting: boolean;
  }>`
    SELECT p.id AS project_id, p.name, p.config, p.config #>> '{report,digest}' AS digest, r.last_sent_at,
           EXISTS (SELECT 1 FROM executions e
                   WHERE e.project_id = p.id AND e.id > coalesce(r.last_execution_id, 0)
                     AND e.status NOT IN ('pending', 'running')) AS waiting
    FROM projects p
    LEFT JOIN report_digests r ON r.project_id = p.id
    WHERE p.is_active AND p.config #>> '{report,digest}' IS NOT NULL
    ORDER BY p.id`.execute(db);
  return rows.map((r) => ({
    projectId: r.project_id,
    name: r.name,
    config: r.config,
    digest: r.digest,
    lastSentAt: r.last_sent_at,
    waiting: r.waiting,
  }));
}
