import { sql } from "kysely";
import type { Db } from "@vigil/db";
import { createLogger, type Logger } from "@vigil/logger";

import {
  runMaterializePass,
  type MaterializeOptions,
  type PassStats,
} from "../src/materialize-pass.js";

export const OPTIONS: MaterializeOptions = {
  horizonSeconds: 300,
  batchSize: 100,
  maxCatchup: 100,
};

/** A logger whose JSON lines are kept, so a test can count what was logged. */
export function captureLogger(): {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
} {
  const raw: string[] = [];
  const logger = createLogger({
    level: "info",
    name: "test",
    destination: { write: (line: string) => void raw.push(line) },
  });
  return {
    logger,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const quiet = createLogger({ level: "silent", name: "test" });

/** One pass at a literal instant. */
export function passAt(
  db: Db,
  now: string | Date,
  options: Partial<MaterializeOptions> = {},
  logger: Logger = quiet,
  scope: "all" | "changed" = "all",
): Promise<PassStats> {
  return runMaterializePass({
    db,
    logger,
    options: { ...OPTIONS, ...options },
    signal: new AbortController().signal,
    now: new Date(now),
    scope,
  });
}

export async function triggersOf(db: Db, scheduleId: number) {
  return db
    .selectFrom("triggers")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .orderBy("fire_at")
    .execute();
}

export const isoTimes = (rows: Array<{ fire_at: Date }>) =>
  rows.map((r) => r.fire_at.toISOString());

/** Marks a trigger running as an executor's claim would. */
export async function markRunning(db: Db, triggerId: number): Promise<void> {
  await db
    .updateTable("triggers")
    .set({
      status: "running",
      claimed_by: "w-test",
      claimed_at: sql<Date>`now()`,
      lease_expires_at: sql<Date>`now() + interval '1 minute'`,
      attempt: 1,
    })
    .where("id", "=", triggerId)
    .execute();
}
