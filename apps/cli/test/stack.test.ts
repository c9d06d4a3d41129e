import { createTestDatabase, waitFor } from "@vigil/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { appEntry } from "../src/paths.js";
import { startTestStack, type TestStack } from "./start-stack.js";

const TOKEN = "stack-test-token-0123456789abcdef";

const RULE_TOO_EXPENSIVE = `export function detect(rows, params) {
  return rows.filter((r) => Number(r.price) > params.limit)
             .map((r) => ({ key: r.sku, message: \`\${r.sku} costs \${r.price}\` }));
}`;
const RULE_NO_STOCK = `export function detect(rows) {
  return rows.filter((r) => r.stock === 0).map((r) => ({ key: r.sku, message: \`\${r.sku} is out of stock\`, severity: "low" }));
}`;

/**
 * The whole product, as `npm start` runs it but against a fresh database: the CLI supervisor
 * starts the four apps as separate processes; a project made through the API runs on its
 * schedule and its findings come back through the API.
 */
describe("the stack started by `vigil start`", () => {
  let stack: TestStack | undefined;
  let baseUrl: string;
  let databaseUrl: string;

  beforeAll(async () => {
    const database = await createTestDatabase(
      inject("databaseUrl"),
      inject("templateDatabase"),
      "stack",
    );
    databaseUrl = database.url;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      "create table inventory (sku text primary key, price numeric not null, stock int not null, updated_at timestamptz not null default now())",
    );
    await client.query(
      "insert into inventory (sku, price, stock) values ('A-1', 10, 5), ('B-2', 250, 1), ('C-3', 30, 0), ('D-4', 999, 0)",
    );
    await client.end();

    const started = await startTestStack({
      databaseUrl,
      token: TOKEN,
      env: {
        VIGIL_SECRET_INVENTORY_DB_URL: databaseUrl,
        EXECUTOR_CONCURRENCY: "2",
        POLL_INTERVAL_MS: "500",
        LOG_LEVEL: "info",
      },
    });
    stack = started;
    baseUrl = started.baseUrl;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("runs a project created through the API on its schedule and reports exactly its findings", async () => {
    const project = {
      id: "inventory-check",
      name: "Inventory check",
      config: {
        data_source: {
          type: "sql",
          driver: "postgres",
          url_env: "VIGIL_SECRET_INVENTORY_DB_URL",
          query:
            "select sku, price::text as price, stock from inventory where updated_at < :end order by sku",
        },
        lookback: "P1D",
        timeout_seconds: 30,
      },
      schedules: [
        { cron_expression: "*/2 * * * * *", timezone: "Europe/Berlin" },
      ],
      rules: [
        {
          rule_id: "too-expensive",
          severity: "high",
          code: RULE_TOO_EXPENSIVE,
          parameters: { limit: 100 },
        },
        { rule_id: "no-stock", code: RULE_NO_STOCK },
      ],
    };
    const created = await fetch(`${baseUrl}/projects`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${TOKEN}`,
      },
      body: JSON.stringify(project),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    const execution = await waitFor(
      async () => {
        const res = await fetch(
          `${baseUrl}/projects/inventory-check/executions?status=success`,
        );
        const body = (await res.json()) as {
          items: Array<{ id: number; status: string }>;
        };
        return body.items[0];
      },
      { timeoutMs: 45_000, message: "a successful execution" },
    ).catch(async (err: Error) => {
      const recent = await (
        await fetch(`${baseUrl}/projects/inventory-check/executions`)
      ).json();
      throw new Error(
        `${err.message}; executions: ${JSON.stringify(recent).slice(0, 1500)}; the stack said:\n${stack?.output().slice(-3000) ?? ""}`,
      );
    });
    const detail = (await (
      await fetch(`${baseUrl}/executions/${execution.id}`)
    ).json()) as {
      findings: Array<{
        rule_id: string;
        finding_key: string;
        severity: string;
      }>;
      findings_count: number;
    };
    const found = detail.findings
      .map((f) => `${f.rule_id}:${f.finding_key}:${f.severity}`)
      .sort();
    expect(found).toEqual([
      "no-stock:C-3:low",
      "no-stock:D-4:low",
      "too-expensive:B-2:high",
      "too-expensive:D-4:high",
    ]);
    expect(detail.findings_count).toBe(4);
  }, 60_000);

  it("runs the four apps as separate processes and stops all of them on SIGTERM", async () => {
    const apps = ["api", "trigger-creator", "executor", "cleaner"];
    const { execSync } = await import("node:child_process");
    // only this stack's processes: other test files run executors of their own meanwhile
    const table = execSync("ps -eo pid=,ppid=,args=")
      .toString()
      .trim()
      .split("\n")
      .map((line) => {
        const [pid, ppid, ...args] = line.trim().split(/\s+/);
        return { pid: Number(pid), ppid: Number(ppid), args: args.join(" ") };
      });
    const ours = new Set([stack!.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const row of table) {
        if (ours.has(row.ppid) && !ours.has(row.pid)) {
          ours.add(row.pid);
          grew = true;
        }
      }
    }
    const appPids = apps.map((app) => {
      const row = table.find(
        (r) => ours.has(r.pid) && r.args.includes(appEntry(app)),
      );
      expect(row, `${app} runs under the stack`).toBeDefined();
      return row!.pid;
    });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(await stack!.stop()).toBe(0);
    await waitFor(() => !appPids.some(alive), {
      timeoutMs: 10_000,
      message: "every app process to exit",
    });
  }, 60_000);
});
