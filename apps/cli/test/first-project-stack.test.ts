import { readFileSync } from "node:fs";

import { createTestDatabase } from "@vigil/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestStack, type TestStack } from "./start-stack.js";

import { runCliOn, yamlFile } from "./run-cli.js";

const TOKEN = "first-project-token-0123456789abcdef";

/** The walkthrough's project file, as docs/first-project.md shows it. */
function guideProject(): string {
  const guide = readFileSync(
    new URL("../../../docs/first-project.md", import.meta.url),
    "utf8",
  );
  const at = guide.indexOf("<!-- first-project:example");
  const block = /```yaml\n([\s\S]*?)```/.exec(guide.slice(at));
  if (at === -1 || block === null) {
    throw new Error("docs/first-project.md lost its example project");
  }
  return block[1]!;
}

/**
 * docs/first-project.md, step by step, against the stack `vigil start` runs: the guide's two
 * tables and project file, `vigil apply`, `vigil run`, the findings through the API, triage.
 */
describe("the first-project walkthrough on a running stack", () => {
  let stack: TestStack | undefined;
  let baseUrl: string;
  let databaseUrl: string;

  beforeAll(async () => {
    const database = await createTestDatabase(
      inject("databaseUrl"),
      inject("templateDatabase"),
      "firstproject",
    );
    databaseUrl = database.url;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`
      create schema shop;
      create table shop.orders (id bigint primary key, status text not null,
        total_cents bigint not null, created_at timestamptz not null);
      create table shop.payments (id text primary key,
        order_id bigint not null references shop.orders (id),
        amount_cents bigint not null, created_at timestamptz not null);
      insert into shop.orders values
        (1, 'paid', 1000, now() - interval '2 hours'),
        (2, 'paid', 500, now() - interval '2 hours'),
        (3, 'paid', 2000, now() - interval '2 hours'),
        (4, 'cancelled', 700, now() - interval '2 hours'),
        (5, 'open', 100, now() - interval '2 hours'),
        (6, 'paid', 900, now() - interval '3 days');
      insert into shop.payments values
        ('p-1', 1, 1000, now()), ('p-3', 3, 1500, now());
    `);
    await client.end();

    const started = await startTestStack({
      databaseUrl,
      token: TOKEN,
      env: {
        VIGIL_SECRET_SHOP_DB_URL: databaseUrl,
        EXECUTOR_CONCURRENCY: "1",
        POLL_INTERVAL_MS: "500",
      },
    });
    stack = started;
    baseUrl = started.baseUrl;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("applies the guide's file, runs it, and finds exactly the planted orders, which triage moves", async () => {
    const file = await yamlFile(guideProject());
    const applied = await runCliOn(["apply", "-f", file], databaseUrl);
    expect(applied.code, applied.stderr).toBe(0);

    const run = await runCliOn(
      ["run", "shop-orders", "--timeout", "45"],
      databaseUrl,
    );
    expect(
      run.code,
      `${run.stdout}${run.stderr}\n${stack?.output().slice(-3000) ?? ""}`,
    ).toBe(0);
    expect(run.stdout).toMatch(/execution \d+: success, 2 finding\(s\)/);

    const auth = { authorization: `Bearer ${TOKEN}` };
    const list = (await (
      await fetch(`${baseUrl}/projects/shop-orders/discrepancies?status=open`, {
        headers: auth,
      })
    ).json()) as {
      items: Array<{
        fingerprint: string;
        rule_id: string;
        finding_key: string;
        row_key: string | null;
        severity: string;
        data: unknown;
      }>;
    };
    const found = list.items
      .map((d) => `${d.rule_id}:${d.finding_key}:${d.row_key}:${d.severity}`)
      .sort();
    // order 6 is paid without payment too, but outside the one-day window
    expect(found).toEqual([
      "amount-mismatch:3:3:medium",
      "paid-without-payment:2:2:high",
    ]);
    const mismatch = list.items.find((d) => d.rule_id === "amount-mismatch")!;
    expect(mismatch.data).toMatchObject({
      paid_cents: 1500,
      total_cents: 2000,
    });

    const triaged = await fetch(
      `${baseUrl}/projects/shop-orders/discrepancies/${mismatch.fingerprint}`,
      {
        method: "PATCH",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({
          status: "acknowledged",
          assignee: "ana",
          note: "refund pending",
        }),
      },
    );
    expect(triaged.status, await triaged.clone().text()).toBe(200);
    expect(await triaged.json()).toMatchObject({
      status: "acknowledged",
      assignee: "ana",
    });
  }, 90_000);
});
