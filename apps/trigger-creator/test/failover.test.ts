import {
  insertProject,
  insertSchedule,
  dbTest,
  waitFor,
} from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { startCreatorProcess, type CreatorProcess } from "./processes.js";

describe("leader failover between creator processes", () => {
  dbTest(
    "after kill -9 of the leader, the standby takes over within seconds and keeps materializing",
    async ({ db, testDatabase }) => {
      const started: CreatorProcess[] = [];
      try {
        const leader = startCreatorProcess(testDatabase.url);
        started.push(leader);
        await leader.waitForLog("became leader");
        const standby = startCreatorProcess(testDatabase.url);
        started.push(standby);
        await standby.waitForLog(
          "standby: another trigger-creator holds the leader lock",
        );

        const p = await insertProject(db);
        const before = await insertSchedule(db, p.id, { cron: "* * * * *" });
        await waitFor(
          async () =>
            (
              await db
                .selectFrom("triggers")
                .select("id")
                .where("schedule_id", "=", before.id)
                .execute()
            ).length >= 5,
          { message: "the leader to materialize" },
        );

        const killedAt = Date.now();
        leader.child.kill("SIGKILL");
        await standby.waitForLog("became leader", 10_000);
        const takeoverMs = Date.now() - killedAt;
        expect(takeoverMs).toBeLessThan(5000);

        const after = await insertSchedule(db, p.id, { cron: "*/2 * * * *" });
        await waitFor(
          async () =>
            (
              await db
                .selectFrom("triggers")
                .select("id")
                .where("schedule_id", "=", after.id)
                .execute()
            ).length > 0,
          { message: "the new leader to materialize" },
        );

        standby.child.kill("SIGTERM");
        expect(await standby.exited).toBe(0);
      } finally {
        for (const proc of started) {
          proc.child.kill("SIGKILL");
        }
      }
    },
  );
});
