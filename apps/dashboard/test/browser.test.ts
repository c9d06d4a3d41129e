import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { findFreePort } from "@vigil/db/embedded";
import { createTestDatabase, waitFor } from "@vigil/db/testing";
import pg from "pg";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestStack, type TestStack } from "../../cli/test/start-stack.js";

/** Debian's `chromium` package (.ci/run installs it when missing); never a downloaded browser. */
const CHROMIUM = "/usr/bin/chromium";
const missing = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is not installed (apt-get install chromium)`;
const title = (test: string) =>
  missing === undefined ? test : `SKIPPED on this host (${missing}): ${test}`;

const TOKEN = "dashboard-test-token-0123456789abcdef";
/** Git-ignored: a person can look at what the tests saw. */
const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));

const RULE_AMOUNT = `export function detect(rows) {
  return rows.filter((r) => r.paid !== null && Number(r.paid) !== Number(r.amount))
    .map((r) => ({ key: r.id, message: \`order \${r.id}: amount \${r.amount}, paid \${r.paid}\`,
                   severity: "high", data: { amount: r.amount, paid: r.paid } }));
}`;
const RULE_UNPAID = `export function detect(rows) {
  return rows.filter((r) => r.paid === null)
    .map((r) => ({ key: r.id, message: \`order \${r.id} is unpaid\`, severity: "medium" }));
}`;

interface PageReport {
  errors: string[];
  foreign: string[];
}

/** Console and page errors, failed answers, and every request that leaves the API's origin. */
function watch(page: Page, origin: string): PageReport {
  const report: PageReport = { errors: [], foreign: [] };
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      report.errors.push(`console: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => report.errors.push(`page: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400) {
      report.errors.push(`${res.status()} for ${res.url()}`);
    }
  });
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (url.protocol !== "data:" && url.origin !== origin) {
      report.foreign.push(req.url());
    }
  });
  return report;
}

interface Execution {
  id: number;
  status: string;
}

describe.skipIf(missing !== undefined)(
  title("the dashboard in headless Chromium against a real stack"),
  () => {
    let stack: TestStack | undefined;
    let browser: Browser | undefined;
    let base: string;
    let execution: Execution;
    let databaseUrl: string;

    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body !== undefined && { "content-type": "application/json" }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) {
        throw new Error(`${method} ${p}: ${res.status} ${text}`);
      }
      return JSON.parse(text) as unknown;
    };
    const executions = async (project: string) =>
      (
        (await api("GET", `/projects/${project}/executions`)) as {
          items: Execution[];
        }
      ).items;
    /** Runs `project` now and waits for the execution that run made. */
    const runNow = async (project: string): Promise<Execution> => {
      const before = new Set((await executions(project)).map((e) => e.id));
      await api("POST", `/projects/${project}/trigger`, {});
      return waitFor(
        async () =>
          (await executions(project)).find(
            (e) =>
              !before.has(e.id) && !["pending", "running"].includes(e.status),
          ),
        { timeoutMs: 30_000, message: `a finished run of ${project}` },
      );
    };

    beforeAll(async () => {
      const database = await createTestDatabase(
        inject("databaseUrl"),
        inject("templateDatabase"),
        "dashboard",
      );
      databaseUrl = database.url;
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(
        "create table shop_orders (id text primary key, amount numeric not null, paid numeric, placed_at timestamptz not null default now() - interval '1 minute')",
      );
      await client.query(
        "insert into shop_orders (id, amount, paid) values ('A-1', 10, 10), ('A-2', 25, 20), ('A-3', 40, null), ('A-4', 5, 5)",
      );
      await client.end();

      const [started, launched] = await Promise.allSettled([
        startTestStack({
          databaseUrl: database.url,
          token: TOKEN,
          env: {
            VIGIL_SECRET_SHOP_DB_URL: database.url,
            EXECUTOR_CONCURRENCY: "2",
            POLL_INTERVAL_MS: "500",
            LOG_LEVEL: "warn",
          },
        }),
        chromium.launch({
          executablePath: CHROMIUM,
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
          // playwright gives each launch a new, empty --user-data-dir of its own
        }),
      ]);
      // whichever started is stopped in afterAll, even when the other failed
      stack = started.status === "fulfilled" ? started.value : undefined;
      browser = launched.status === "fulfilled" ? launched.value : undefined;
      for (const r of [started, launched]) {
        if (r.status === "rejected") {
          throw r.reason;
        }
      }
      base = stack!.baseUrl;
      await mkdir(SCREENSHOTS, { recursive: true });

      const dataSource = (query: string) => ({
        type: "sql",
        driver: "postgres",
        url_env: "VIGIL_SECRET_SHOP_DB_URL",
        query,
        key: "id",
      });
      await api("POST", "/projects", {
        id: "shop-payments",
        name: "Shop payments",
        description: "orders against payments",
        config: {
          data_source: dataSource(
            "select id, amount::text as amount, paid::text as paid from shop_orders where placed_at < :end order by id",
          ),
          lookback: "P1D",
          timeout_seconds: 30,
        },
        schedules: [
          // once a year: no scheduled run can land between the counts the tests compare
          { cron_expression: "0 3 1 1 *", timezone: "Europe/Berlin" },
        ],
        rules: [
          { rule_id: "amount-mismatch", code: RULE_AMOUNT },
          { rule_id: "unpaid", code: RULE_UNPAID },
        ],
      });
      await api("POST", "/projects", {
        id: "broken-feed",
        name: "Broken feed",
        config: {
          data_source: dataSource("select id from no_such_table"),
          timeout_seconds: 30,
        },
        schedules: [{ cron_expression: "30 4 1 1 *", timezone: "UTC" }],
        rules: [{ rule_id: "unpaid", code: RULE_UNPAID }],
      });
      execution = await runNow("shop-payments");
      expect(execution.status, stack!.output().slice(-2000)).toBe("success");
      await runNow("broken-feed");
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    }, 60_000);

    /** Opens `p` at 1280 px, waits for `ready`, screenshots it, and checks the page stayed clean. */
    async function visit(
      p: string,
      ready: string,
      check: (page: Page) => Promise<void>,
    ) {
      const page = await browser!.newPage({
        viewport: { width: 1280, height: 900 },
      });
      const report = watch(page, base);
      try {
        await page.goto(`${base}${p}`);
        await page.getByText(ready).first().waitFor({ timeout: 15_000 });
        await check(page);
        const name =
          p.replace(/^\/ui\/?/, "").replace(/\W+/g, "-") || "overview";
        await page.screenshot({
          path: path.join(SCREENSHOTS, `${name}.png`),
          fullPage: true,
        });
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({
          path: path.join(SCREENSHOTS, `${name}-phone.png`),
          fullPage: true,
        });
        // nothing wider than a phone: tables scroll inside their cards, not the page
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow, "horizontal overflow at 390 px").toBeLessThanOrEqual(
          0,
        );
        expect(report.errors).toEqual([]);
        expect(report.foreign).toEqual([]);
      } finally {
        await page.close();
      }
    }

    it(
      title(
        "a browser opening / lands on the overview, which updates when a run finishes",
      ),
      async () => {
        const page = await browser!.newPage({
          viewport: { width: 1280, height: 900 },
        });
        const report = watch(page, base);
        await page.goto(`${base}/`);
        expect(new URL(page.url()).pathname).toBe("/ui/");
        await page.getByRole("heading", { name: "Workers" }).waitFor();
        const count = page.getByTestId("executions-24h");
        await expect
          .poll(() => count.textContent(), { timeout: 10_000 })
          .toBe("2");
        const workers = await page
          .locator("section", { has: page.locator("#workers") })
          .textContent();
        expect(workers).toContain("executor");
        expect(workers).toContain("trigger-creator");
        expect(await page.getByTestId("succeeded-24h").textContent()).toBe("1");
        const failure = page.getByRole("row", { name: /broken-feed/ });
        expect(await failure.textContent()).toMatch(/failed.*no_such_table/);

        // a run finished after the page loaded shows without a reload
        await runNow("shop-payments");
        await expect
          .poll(() => count.textContent(), { timeout: 10_000 })
          .toBe("3");
        expect(await page.getByTestId("succeeded-24h").textContent()).toBe("2");
        expect(await page.getByTestId("success-rate-24h").textContent()).toBe(
          "66.7 %",
        );

        // keyboard: the first Tab lands on the skip link, visibly focused
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          return {
            text: el.textContent,
            outline: getComputedStyle(el).outlineStyle,
          };
        });
        expect(focused).toEqual({ text: "Skip to content", outline: "solid" });
        await page.screenshot({
          path: path.join(SCREENSHOTS, "overview.png"),
          fullPage: true,
        });
        expect(report.errors).toEqual([]);
        expect(report.foreign).toEqual([]);
        await page.close();
      },
      40_000,
    );

    it(
      title(
        "projects: state, last run, open discrepancies by severity, next run; search",
      ),
      async () => {
        await visit("/ui/projects", "Shop payments", async (page) => {
          const shop = page.getByRole("row", { name: /Shop payments/ });
          // every cell is its own query: wait until all of them answered
          await expect
            .poll(() => shop.textContent())
            .toMatch(/active.*success.*high 1.*medium 1.*\d{4}/);
          const broken = page.getByRole("row", { name: /Broken feed/ });
          await expect.poll(() => broken.textContent()).toContain("failed");
          await page.getByLabel("Search id or name").fill("broken");
          await expect.poll(() => page.getByRole("row").count()).toBe(2);
          await page.getByLabel("Search id or name").fill("");
        });
      },
    );

    it(
      title(
        "project: schedules in local time and UTC, a timeline chart, discrepancies, rule code",
      ),
      async () => {
        await visit(
          "/ui/projects/shop-payments",
          "Open discrepancies",
          async (page) => {
            await page.getByText("0 3 1 1 *").waitFor();
            const utc = await page
              .locator("#main table td.mono")
              .allTextContents();
            expect(
              utc.some((t) => /^\d{4}-\d\d-\d\d 0[12]:00:00 UTC$/.test(t)),
            ).toBe(true);
            // one marker per execution the API has
            const runs = (await executions("shop-payments")).length;
            await expect
              .poll(() => page.locator("svg.timeline g.point").count())
              .toBe(runs);
            await page.getByText("order A-2: amount 25, paid 20").waitFor();
            await page.getByText("order A-3 is unpaid").waitFor();
            await page.getByText("amount-mismatch").last().click();
            await expect
              .poll(() =>
                page.getByLabel("code of amount-mismatch").textContent(),
              )
              .toContain("Number(r.paid) !== Number(r.amount)");
          },
        );
      },
    );

    it(
      title(
        "execution: times, rows, per-rule results, findings, output, deliveries",
      ),
      async () => {
        await visit(
          `/ui/executions/${execution.id}`,
          "Report deliveries",
          async (page) => {
            expect(await page.getByTestId("row-count").textContent()).toBe("4");
            const rules = await page
              .locator("#main section")
              .filter({ hasText: "Time" })
              .first()
              .textContent();
            expect(rules).toContain("amount-mismatch");
            expect(rules).toContain("unpaid");
            // each rule with its status and its one finding
            const row = (rule: string) =>
              page
                .locator("section", { has: page.locator("#rule-results") })
                .getByRole("row", { name: new RegExp(`^${rule}`) })
                .textContent();
            expect(await row("amount-mismatch")).toMatch(/success.*ms1$/);
            expect(await row("unpaid")).toMatch(/success.*ms1$/);
            await page.getByText("order A-3 is unpaid").waitFor();
            // the first run opened both (GET /executions/{id}/changes)
            const finding = (key: string) =>
              page
                .locator("section", { has: page.locator("#findings") })
                .getByRole("row", { name: new RegExp(`${key}`) })
                .textContent();
            await expect.poll(() => finding("A-2")).toMatch(/^new/);
            expect(await finding("A-3")).toMatch(/^new/);
            await page
              .getByText("No report or alert was sent for this execution.")
              .waitFor();
          },
        );
      },
    );

    it(title("discrepancy: its data, occurrences and events"), async () => {
      const list = (await api(
        "GET",
        "/projects/shop-payments/discrepancies?rule_id=amount-mismatch",
      )) as { items: { fingerprint: string }[] };
      const fp = list.items[0]!.fingerprint;
      await visit(
        `/ui/projects/shop-payments/discrepancies/${fp}`,
        "Occurrences",
        async (page) => {
          expect(
            await page.getByTestId("discrepancy-message").textContent(),
          ).toBe("order A-2: amount 25, paid 20");
          expect(
            JSON.parse(
              (await page.getByTestId("discrepancy-data").textContent())!,
            ),
          ).toEqual({
            amount: "25",
            paid: "20",
          });
          // every run of the project found it
          const runs = (await executions("shop-payments")).length;
          await expect
            .poll(() =>
              page
                .locator("section", { has: page.locator("#occurrences") })
                .locator("tbody tr")
                .count(),
            )
            .toBe(runs);
          await page
            .getByText(/opened/)
            .first()
            .waitFor();
        },
      );
    });

    it(
      title(
        "triage and run now ask for a token once, keep it in the tab, and act end to end",
      ),
      async () => {
        const page = await browser!.newPage({
          viewport: { width: 1280, height: 900 },
        });
        const report = watch(page, base);
        try {
          await page.goto(`${base}/ui/projects/shop-payments`);
          await page.getByLabel("Select unpaid A-3").check();
          await page.getByLabel("Reason").fill("payment expected Monday");
          await page.getByLabel("Assignee").fill("ops");
          await page
            .getByRole("button", { name: "Apply to 1 discrepancy" })
            .click();
          // no token yet: the write waits for one
          const tokenField = page.getByLabel(
            /This needs an API token with the triage scope/,
          );
          await tokenField.fill(TOKEN);
          await page.getByRole("button", { name: "Use token" }).click();
          await page
            .getByText("Changed 1 discrepancy.")
            .waitFor({ timeout: 10_000 })
            .catch(async (err: Error) => {
              await page.screenshot({
                path: path.join(SCREENSHOTS, "triage-failed.png"),
                fullPage: true,
              });
              throw new Error(
                `${err.message}; page errors: ${JSON.stringify(report.errors)}; form: ${await page.locator(".triage").textContent()}`,
              );
            });
          const row = page.getByRole("row", { name: /A-3/ });
          await expect
            .poll(() => row.textContent())
            .toMatch(/acknowledged.*→ ops/);
          const list = (await api(
            "GET",
            "/projects/shop-payments/discrepancies?rule_id=unpaid",
          )) as {
            items: {
              status: string;
              assignee: string;
              status_reason: string;
            }[];
          };
          expect(list.items[0]).toMatchObject({
            status: "acknowledged",
            assignee: "ops",
            status_reason: "payment expected Monday",
          });

          // the token is kept for this tab: run now asks for nothing
          const before = (await executions("shop-payments")).length;
          await page.getByRole("button", { name: "Run now" }).click();
          await page.getByText(/Queued as trigger \d+/).waitFor();
          await expect
            .poll(() => page.getByLabel("Select unpaid A-3").count())
            .toBe(1);
          expect(await tokenField.count()).toBe(0);
          await waitFor(
            async () => (await executions("shop-payments")).length > before,
            {
              timeoutMs: 20_000,
              message: "the run-now execution",
            },
          );
          expect(
            await page.evaluate(() =>
              window.sessionStorage.getItem("vigil.api-token"),
            ),
          ).toBe(TOKEN);
          // one discrepancy from its own page, with the token the tab already has
          await page
            .getByRole("link", { name: "A-2", exact: true })
            .first()
            .click();
          await page.getByText("Data of its last occurrence").waitFor();
          await page.getByLabel("Action").selectOption("resolved");
          await page.getByLabel(/Reason/).fill("refunded the difference");
          await page
            .getByRole("button", { name: "Apply to 1 discrepancy" })
            .click();
          await page.getByText("Changed 1 discrepancy.").waitFor();
          await expect
            .poll(() => page.locator("h1").textContent())
            .toContain("resolved");
          await page
            .getByText(/refunded the difference/)
            .first()
            .waitFor();
          await page.screenshot({
            path: path.join(SCREENSHOTS, "project-triaged.png"),
            fullPage: true,
          });
          expect(report.errors).toEqual([]);
          expect(report.foreign).toEqual([]);
        } finally {
          await page.close();
        }
      },
      40_000,
    );

    it(
      title(
        "rule editor: a dry run shows rule errors with line:column, findings and the plan; Save stores the code",
      ),
      async () => {
        const page = await browser!.newPage({
          viewport: { width: 1280, height: 900 },
        });
        const report = watch(page, base);
        try {
          await page.goto(`${base}/ui/projects/shop-payments`);
          const details = page.locator("details", {
            has: page.locator("summary", { hasText: "unpaid" }),
          });
          await details.locator("summary").click();
          await details
            .getByRole("link", { name: "Edit and dry-run this rule" })
            .click();
          const editor = page.getByLabel("code of unpaid");
          await expect.poll(() => editor.inputValue()).toBe(RULE_UNPAID);

          // a rule that throws: its error and where, and a plan of nothing
          await editor.fill(
            'export function detect(rows) {\n  throw new Error("boom");\n}',
          );
          await page.getByRole("button", { name: "Dry run" }).click();
          await page
            .getByLabel(/This needs an API token with the write scope/)
            .fill(TOKEN);
          await page.getByRole("button", { name: "Use token" }).click();
          const ruleRow = page
            .locator("section", { has: page.locator("#dry-run-result") })
            .getByRole("row", { name: /^unpaid/ });
          await expect
            .poll(() => ruleRow.textContent(), { timeout: 20_000 })
            .toMatch(/failed.*line 2:\d+.*boom/);

          // live source: A-3 is seen again, A-4 (amount 5) is new
          const changed = RULE_UNPAID.replace(
            "r.paid === null",
            "(r.paid === null || Number(r.amount) < 6)",
          );
          await editor.fill(changed);
          await page.getByRole("button", { name: "Dry run" }).click();
          const plan = (k: string) => page.getByTestId(`plan-${k}`);
          await expect
            .poll(() => plan("would_open").textContent(), { timeout: 20_000 })
            .toBe("1");
          expect(await plan("would_resolve").textContent()).toBe("0");
          // every stored rule runs beside the edited one; what the others plan depends on
          // the triage done before, so only this rule's rows are checked
          const planRow = (k: string, key: string) =>
            page
              .getByTestId(`plan-list-${k}`)
              .getByRole("row", { name: new RegExp(`^unpaid ${key}`) })
              .textContent();
          expect(await planRow("would_open", "A-4")).toMatch(
            /newopen.*order A-4 is unpaid/,
          );
          expect(await planRow("unchanged", "A-3")).toContain(
            "order A-3 is unpaid",
          );
          await page.screenshot({
            path: path.join(SCREENSHOTS, "rule-editor.png"),
            fullPage: true,
          });

          // pasted CSV rows: only those rows, and the plan says it is a sample
          await page.getByLabel("pasted rows").check();
          await page.getByLabel("Format").selectOption("csv");
          await page
            .getByLabel(/^Rows/)
            .fill("id,amount,paid\nA-9,3,3\nA-1,10,10\n");
          await page.getByRole("button", { name: "Dry run" }).click();
          await page
            .locator("section", { has: page.locator("#dry-run-result") })
            .getByText(/on rows · 2 rows/)
            .waitFor({ timeout: 20_000 });
          // A-9 is new; A-3, not in the sample, is neither seen nor resolved
          expect(await plan("would_open").textContent()).toBe("1");
          expect(await plan("would_resolve").textContent()).toBe("0");
          expect(await plan("unchanged").textContent()).toBe("0");

          // the stored input of the first run
          await page.getByLabel("a past execution's input").check();
          await page
            .getByLabel("Execution", { exact: true })
            .selectOption(String(execution.id));
          await page
            .getByTestId("input-state")
            .getByText(/^Input kept: 4 rows/)
            .waitFor();
          await page.getByRole("button", { name: "Dry run" }).click();
          await page
            .locator("section", { has: page.locator("#dry-run-result") })
            .getByText(/on execution · 4 rows/)
            .waitFor({ timeout: 20_000 });
          expect(await plan("would_open").textContent()).toBe("1");

          // nothing is stored until Save, which asks for nothing more
          const stored = async () =>
            (
              (await api("GET", "/projects/shop-payments/rules/unpaid")) as {
                code: string;
              }
            ).code;
          expect(await stored()).toBe(RULE_UNPAID);
          await page.getByRole("button", { name: "Save" }).click();
          // exact: "Changed, not saved." is on the page until the answer
          await page
            .getByText("Saved.", { exact: true })
            .waitFor({ timeout: 10_000 });
          expect(await stored()).toBe(changed);
          await page.setViewportSize({ width: 390, height: 844 });
          await page.screenshot({
            path: path.join(SCREENSHOTS, "rule-editor-phone.png"),
            fullPage: true,
          });
          expect(
            await page.evaluate(
              () => document.documentElement.scrollWidth - window.innerWidth,
            ),
          ).toBeLessThanOrEqual(0);
          expect(report.errors).toEqual([]);
          expect(report.foreign).toEqual([]);
        } finally {
          await page.close();
        }
      },
      60_000,
    );

    it(
      title(
        "an API that requires a token for reads asks for it once, then every page reads with it",
      ),
      async () => {
        const port = await findFreePort();
        const guarded = spawn(
          process.execPath,
          [fileURLToPath(new URL("../../api/dist/main.js", import.meta.url))],
          {
            env: {
              PATH: process.env.PATH,
              DATABASE_URL: databaseUrl,
              PORT: String(port),
              HOST: "127.0.0.1",
              API_TOKENS: TOKEN,
              API_READ_TOKEN_REQUIRED: "true",
              LOG_LEVEL: "warn",
            },
            stdio: "ignore",
          },
        );
        const origin = `http://127.0.0.1:${port}`;
        const page = await browser!.newPage({
          viewport: { width: 1280, height: 900 },
        });
        try {
          await waitFor(() => fetch(`${origin}/ready`).then((r) => r.ok), {
            timeoutMs: 15_000,
            message: "the read-guarded API",
          });
          const report = watch(page, origin);
          await page.goto(`${origin}/ui/projects`);
          await page.getByLabel(/API token with the read scope/).fill(TOKEN);
          await page.getByRole("button", { name: "Use token" }).click();
          await page.getByRole("link", { name: "Shop payments" }).waitFor();
          await page.getByRole("link", { name: "Overview" }).first().click();
          await page.getByRole("heading", { name: "Workers" }).waitFor();
          await expect
            .poll(() => page.getByTestId("running-now").count())
            .toBe(1);
          // the refused reads before the token are the only failed answers
          expect(report.errors.length).toBeGreaterThan(0);
          expect(report.errors.filter((e) => !/\b401\b/.test(e))).toEqual([]);
          expect(report.foreign).toEqual([]);
        } finally {
          await page.close();
          guarded.kill("SIGTERM");
        }
      },
      40_000,
    );

    // last: its backfill runs read past windows, which change the discrepancies' states
    it(
      title(
        "project actions: suspend and resume, a backfill with its progress; execution: replay and its link back",
      ),
      async () => {
        const page = await browser!.newPage({
          viewport: { width: 1280, height: 900 },
        });
        const report = watch(page, base);
        const project = async () =>
          (await api("GET", "/projects/shop-payments")) as {
            is_active: boolean;
          };
        try {
          await page.goto(`${base}/ui/projects/shop-payments`);
          await page.getByRole("button", { name: "Suspend" }).click();
          await page
            .getByLabel(/This needs an API token with the write scope/)
            .fill(TOKEN);
          await page.getByRole("button", { name: "Use token" }).click();
          await expect
            .poll(() => page.locator("h1").textContent(), { timeout: 10_000 })
            .toContain("suspended");
          expect((await project()).is_active).toBe(false);
          await page.getByRole("button", { name: "Resume" }).click();
          await expect
            .poll(() => page.locator("h1").textContent(), { timeout: 10_000 })
            .toContain("active");
          expect((await project()).is_active).toBe(true);

          await page.getByLabel(/^From/).fill("2026-01-01T00:00:00");
          await page.getByLabel(/^To/).fill("2026-01-03T00:00:00");
          await page.getByLabel(/^Step/).fill("P1D");
          await page.getByRole("button", { name: "Start backfill" }).click();
          const progress = page.getByTestId("backfill-progress");
          await expect
            .poll(() => progress.textContent(), { timeout: 30_000 })
            .toMatch(/done: 2 of 2 windows finished \(2 succeeded/);
          await page.screenshot({
            path: path.join(SCREENSHOTS, "project-actions.png"),
            fullPage: true,
          });

          await page.goto(`${base}/ui/executions/${execution.id}`);
          await page.getByText("Input kept: 4 rows.").waitFor();
          await page
            .getByRole("button", { name: "Replay on this input" })
            .click();
          const made = page
            .getByRole("status")
            .getByRole("link", { name: /^execution \d+$/ });
          await made.waitFor({ timeout: 20_000 });
          await made.click();
          await page
            .getByRole("link", { name: `execution ${execution.id}` })
            .waitFor();
          await expect
            .poll(() => page.locator("h1").textContent(), { timeout: 20_000 })
            .toMatch(/success/);
          expect(await page.locator("#main > p").first().textContent()).toMatch(
            /replay · attempt 1.* · replay of execution \d+/,
          );
          // the replay saw A-3 again, whatever its triage state
          await expect
            .poll(() =>
              page
                .locator("section", { has: page.locator("#findings") })
                .getByRole("row", { name: /A-3/ })
                .textContent(),
            )
            .toMatch(/^still open/);
          expect(report.errors).toEqual([]);
          expect(report.foreign).toEqual([]);
        } finally {
          await page.close();
        }
      },
      60_000,
    );
  },
);
