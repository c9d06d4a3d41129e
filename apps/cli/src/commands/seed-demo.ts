import { applyProject, createDb, seedDemoData } from "@vigil/db";

import type { CliContext } from "../context.js";
import { DEMO_PROJECT } from "../demo/demo-project.js";
import { toApplyInput } from "./apply.js";

/** Seeds the demo's orders/payments (once) and applies the `demo-orders` project (idempotent). */
export async function seedDemo(
  databaseUrl: string,
): Promise<{ dataCreated: boolean }> {
  const handle = createDb({
    connectionString: databaseUrl,
    max: 1,
    applicationName: "vigil-cli",
  });
  try {
    const { created } = await seedDemoData(handle.db);
    await handle.db
      .transaction()
      .execute((trx) => applyProject(trx, toApplyInput(DEMO_PROJECT)));
    return { dataCreated: created };
  } finally {
    await handle.close();
  }
}

/** `vigil seed-demo`. */
export async function seedDemoCommand(ctx: CliContext): Promise<number> {
  const { dataCreated } = await seedDemo(ctx.databaseUrl());
  ctx.out(`demo-orders applied${dataCreated ? "; demo data created" : ""}`);
  return 0;
}
