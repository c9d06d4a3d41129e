import { describe, expect, inject, it } from "vitest";

import { createSqlLoader } from "./sql-test-harness.js";

// Real servers: the PostgreSQL of the vitest setup and the MariaDB at 127.0.0.1:3306.
const MiB = 1024 ** 2;
const pgUrl = inject("databaseUrl");
const mysqlUrl = "mysql://root@127.0.0.1:3306/test";

describe.each([
  ["postgres", pgUrl],
  ["mysql", mysqlUrl],
] as const)("%s loader byte caps", (driver, url) => {
  it("stops at the first row over DATASOURCE_MAX_ROW_BYTES, naming the row and both sizes", async () => {
    const { load, cleanup } = await createSqlLoader(driver, url);
    const query =
      driver === "postgres"
        ? "select g as n, case when g = 17 then repeat('x', 8388608) else 'short' end as v from generate_series(1, 40) g"
        : "select seq as n, if(seq = 17, repeat('x', 8388608), 'short') as v from seq_1_to_40";
    const { result, rows } = await load(query);
    await cleanup();
    expect(rows).toBeNull();
    expect(result).toEqual({
      ok: false,
      code: "too_many_bytes",
      message:
        "row 17 is 8 MiB, over the 1 MiB row limit (DATASOURCE_MAX_ROW_BYTES); select fewer or shorter columns",
    });
  });

  it("stops past DATASOURCE_MAX_BYTES although every row fits the row limit", async () => {
    const { load, cleanup } = await createSqlLoader(driver, url, {
      maxBytes: 2 * MiB,
    });
    const query =
      driver === "postgres"
        ? "select repeat('x', 100000) as v from generate_series(1, 1000)"
        : "select repeat('x', 100000) as v from seq_1_to_1000";
    const { result } = await load(query);
    await cleanup();
    expect(result).toMatchObject({
      ok: false,
      code: "too_many_bytes",
      message: expect.stringMatching(
        /^the data source sent 2(\.\d)? MiB .*over the 2 MiB per-run limit \(DATASOURCE_MAX_BYTES\)/,
      ) as unknown,
    });
  });

  it("loads wide rows under both limits, in byte-sized batches", async () => {
    const { load, cleanup } = await createSqlLoader(driver, url, {
      maxBytes: 8 * MiB,
    });
    const query =
      driver === "postgres"
        ? "select g as n, repeat('y', 500000) as v from generate_series(1, 12) g"
        : "select seq as n, repeat('y', 500000) as v from seq_1_to_12";
    const { result, rows } = await load(query);
    await cleanup();
    expect(result).toMatchObject({ ok: true, rowCount: 12 });
    expect(rows?.map((r) => r.n)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });
});
