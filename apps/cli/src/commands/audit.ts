import { verifyAuditChain } from "@vigil/db";

import type { CliContext } from "../context.js";
import { withDb } from "../with-db.js";

/**
 * `vigil audit verify`: walks the audit chain from its oldest remaining row (whose
 * prev_hash is the anchor: the cleaner prunes only a prefix). Exit 0 with the count when
 * every row hashes to its hash and names its predecessor's; 1 naming the first row that
 * does not.
 */
export async function auditVerifyCommand(ctx: CliContext): Promise<number> {
  return withDb(ctx.databaseUrl(), async (db) => {
    const verdict = await verifyAuditChain(db);
    if (!verdict.ok) {
      ctx.err(`audit chain broken: ${verdict.message}`);
      ctx.err(
        `${verdict.count} row(s) before it verified; first broken row: ${verdict.id} (${verdict.reason})`,
      );
      return 1;
    }
    ctx.out(
      verdict.count === 0
        ? "audit chain intact: 0 rows"
        : `audit chain intact: ${verdict.count} rows (ids ${verdict.first_id}..${verdict.last_id})`,
    );
    return 0;
  });
}
