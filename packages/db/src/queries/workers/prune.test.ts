import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest } from "../../testing/index.js";
import { markDeadWorkers } from "./mark-dead.js";
import { pruneDeadWorkers } from "./prune.js";

dbTest(
  "marks stale workers dead, then deletes only workers that have been gone long enough",
  async ({ db }) => {
    const ago = (s: number) => sql<Date>`now() - make_interval(secs => ${s})`;
    const worker = (
      id: string,
      status: "running" | "stopped" | "dead",
      heartbeatSecondsAgo: number,
    ) => ({
      id,
      app: "executor" as const,
      hostname: "h",
      pid: 1,
      version: "0",
      status,
      last_heartbeat_at: ago(heartbeatSecondsAgo),
    });
    await db
      .insertInto("workers")
      .values([
        worker("alive", "running", 1),
        worker("stale", "running", 600),
        worker("stopped-long-ago", "stopped", 7200),
        worker("dead-recently", "dead", 60),
      ])
      .execute();

    expect(await markDeadWorkers(db, { staleSeconds: 120 })).toBe(1);
    expect(
      await pruneDeadWorkers(db, { olderThanSeconds: 3600, limit: 10 }),
    ).toBe(1);

    const left = await db
      .selectFrom("workers")
      .select(["id", "status"])
      .orderBy("id")
      .execute();
    expect(left).toEqual([
      { id: "alive", status: "running" },
      { id: "dead-recently", status: "dead" },
      { id: "stale", status: "dead" },
    ]);
  },
);
