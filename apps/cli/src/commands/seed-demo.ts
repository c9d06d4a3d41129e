import { applyProject, seedDemoData } from "@vigil/db";

import type { CliContext } from "../context.js";
import { withDb } from "../with-db.js";
import { DEMO_PROJECT } from "../demo/demo-project.js";
import { toApplyInput } from "./apply.js";

/** Seeds the demo's orders/payments (once) and applies the `demo-orders` project (idempotent). */
export async function seedDemo(
  databaseUrl: string,
): Promise<{ dataCreated: boolean }> {
  return withDb(databaseUrl, async (db) => {
    const { created } = await seedDemoData(db);
    await db
      .transaction()
      .execute((trx) => applyProject(trx, toApplyInput(DEMO_PROJECT)));
    return { dataCreated: created };
  });
}

/** `vigil seed-demo`. */
export async function seedDemoCommand(ctx: CliContext): Promise<number> {
  const { dataCreated } = await seedDemo(ctx.databaseUrl());
  ctx.out(`demo-orders applied${dataCreated ? "; demo data created" : ""}`);
  return 0;
}
