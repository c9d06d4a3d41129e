import type { Transaction } from "kysely";

import type { Database } from "../../database.js";
import type { NewFinding } from "../../tables/findings.js";

/** 9 columns x 5,000 rows stays well under PostgreSQL's 65,535 bind parameters per statement. */
const CHUNK = 5_000;

/** Inserts an execution's findings in bulk, in the record transaction. Returns how many. */
export async function insertFindings(
  trx: Transaction<Database>,
  findings: readonly NewFinding[],
): Promise<number> {
  for (let i = 0; i < findings.length; i += CHUNK) {
    await trx
      .insertInto("findings")
      .values(findings.slice(i, i + CHUNK))
      .execute();
  }
  return findings.length;
}
