import { createTestDatabase } from "@vigil/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestStack, type TestStack } from "./start-stack.js";

import { runCliOn as vigil } from "./run-cli.js";

const TOKEN = "backfill-stack-token-0123456789ab";

/**
 * A backfill run to completion by the real stack (`vigil start`: trigger-creator and
 * executor processes): each window's run reads only its own window's rows.
 */
describe("vigil backfill on the stack started by `vigil start`", () => {
  let stack: TestStack | undefined;
  let baseUrl: string;
  let databaseUrl: string;

  beforeAll(async () => {
    const database = await createTestDatabase(
      inject("databaseUrl"),
      inject("templateDatabase"),
      "backfill_stack",
    );
    databaseUrl = database.url;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      "create table payments (id text primary key, amount numeric not null, paid_at timestamptz not null)",
    );
    // day 1: one negative, day 2: two, day 3: none
    await client.query(`insert into payments (id, amount, paid_at) values
      ('a', -5, '2026-10-01T03:00:00Z'), ('b', 7, '2026-10-01T09:00:00Z'),
      ('c', -1, '2026-10-02T01:00:00Z'), ('d', -2, '2026-10-02T23:59:59Z'),
      ('e', 3, '2026-10-03T12:00:00Z'), ('f', -9, '2026-10-04T00:00:00Z')`);
    await client.end();

    const started = await startTestStack({
      databaseUrl,
      token: TOKEN,
      env: {
        VIGIL_SECRET_PAYMENTS_DB_URL: databaseUrl,
        EXECUTOR_CONCURRENCY: "2",
        POLL_INTERVAL_MS: "300",
        LOG_LEVEL: "info",
      },
    });
    stack = started;
    baseUrl = started.baseUrl;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("runs every window once, each on its own rows, and exits 0", async () => {
    const created = await fetch(`${baseUrl}/projects`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${TOKEN}`,
      },
      body: JSON.stringify({
        id: "payments-backfill",
        name: "Payments backfill",
        config: {
          data_source: {
            type: "sql",
            driver: "postgres",
            url_env: "VIGIL_SECRET_PAYMENTS_DB_URL",
            query:
              "select id, amount::text as amount from payments where paid_at >= :start and paid_at < :end order by id",
          },
          timeout_seconds: 30,
        },
        schedules: [],
        rules: [
          {
            rule_id: "negative",
            code: "export function detect(rows) { return rows.filter((r) => Number(r.amount) < 0).map((r) => ({ key: r.id, message: 'negative' })); }",
          },
        ],
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    const result = await vigil(
      [
        "backfill",
        "payments-backfill",
        "--from",
        "2026-10-01T00:00:00Z",
        "--to",
        "2026-10-04T00:00:00Z",
        "--step",
        "P1D",
        "--concurrency",
        "2",
      ],
      databaseUrl,
    );
    expect(
      result.code,
      `${result.stdout}${result.stderr}\nthe stack said:\n${stack?.output().slice(-3000) ?? ""}`,
    ).toBe(0);
    expect(result.stdout.trim().split("\n").at(-1)).toMatch(
      /\[#{30}\] 3\/3 done: succeeded 3, failed 0/,
    );

    const res = await fetch(
      `${baseUrl}/projects/payments-backfill/executions?limit=10`,
    );
    const { items } = (await res.json()) as {
      items: Array<{
        source: string;
        status: string;
        window_start: string;
        window_end: string;
        findings_count: number;
      }>;
    };
    const byWindow = items
      .map(
        (e) =>
          `${e.source} ${e.status} ${e.window_start} ${e.window_end} ${e.findings_count}`,
      )
      .sort();
    expect(byWindow).toEqual([
      "backfill success 2026-10-01T00:00:00.000Z 2026-10-02T00:00:00.000Z 1",
      "backfill success 2026-10-02T00:00:00.000Z 2026-10-03T00:00:00.000Z 2",
      "backfill success 2026-10-03T00:00:00.000Z 2026-10-04T00:00:00.000Z 0",
    ]);
  }, 90_000);
});
