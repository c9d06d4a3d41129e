import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Records a use of the token, unless one was recorded within the last minute (by any API
 * replica): at most one write per token and minute, however busy it is.
 */
export async function touchApiToken(db: Db, name: string): Promise<void> {
  await db
    .updateTable("api_tokens")
    .set({ last_used_at: sql`now()` })
    .where("name", "=", name)
    .where((eb) =>
      eb.or([
        eb("last_used_at", "is", null),
        eb("last_used_at", "<", sql<Date>`now() - interval '1 minute'`),
      ]),
    )
    .execute();
}
