import { sql } from "kysely";
import { describe, expect } from "vitest";

import { dbTest } from "./testing/index.js";
import { inTransaction, isTransactionConflict } from "./transaction.js";

describe("inTransaction", () => {
  dbTest(
    "runs a deadlock victim again, so both of two transactions locking in opposite orders commit",
    async ({ db }) => {
      await sql`create table deadlock_probe (id int primary key, n int not null)`.execute(
        db,
      );
      await sql`insert into deadlock_probe values (1, 0), (2, 0)`.execute(db);
      let tries = 0;
      let bothHoldFirst: () => void = () => undefined;
      const firstLocks = new Promise<void>((resolve) => {
        let held = 0;
        bothHoldFirst = () => {
          held += 1;
          if (held === 2) {
            resolve();
          }
        };
      });
      const write = (first: number, second: number) =>
        inTransaction(db, async (trx) => {
          tries += 1;
          await sql`update deadlock_probe set n = n + 1 where id = ${first}`.execute(
            trx,
          );
          // only the first try of each waits for the other: the retry runs alone
          if (tries <= 2) {
            bothHoldFirst();
            await firstLocks;
          }
          await sql`update deadlock_probe set n = n + 1 where id = ${second}`.execute(
            trx,
          );
        });
      await Promise.all([write(1, 2), write(2, 1)]);
      expect(tries).toBe(3);
      const { rows } = await sql<{
        n: number;
      }>`select n from deadlock_probe order by id`.execute(db);
      expect(rows.map((r) => r.n)).toEqual([2, 2]);
    },
  );

  dbTest(
    "throws other errors at once, without a second try",
    async ({ db }) => {
      let tries = 0;
      await expect(
        inTransaction(db, async (trx) => {
          tries += 1;
          await sql`select 1 / 0`.execute(trx);
        }),
      ).rejects.toMatchObject({ code: "22012" });
      expect(tries).toBe(1);
    },
  );

  dbTest("joins a transaction it is given", async ({ db }) => {
    await db.transaction().execute(async (outer) => {
      const inner = await inTransaction(outer, async (trx) => trx === outer);
      expect(inner).toBe(true);
    });
  });

  dbTest("knows deadlocks and serialization failures, nothing else", () => {
    expect(isTransactionConflict({ code: "40P01" })).toBe(true);
    expect(isTransactionConflict({ code: "40001" })).toBe(true);
    expect(isTransactionConflict({ code: "23505" })).toBe(false);
    expect(isTransactionConflict(new Error("40P01"))).toBe(false);
  });
});
