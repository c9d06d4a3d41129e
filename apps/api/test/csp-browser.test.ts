import { existsSync } from "node:fs";

import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";

import { apiTest } from "./helpers.js";

/** Debian's `chromium` package (.ci/run installs it when missing). */
const CHROMIUM = "/usr/bin/chromium";
const missing = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is not installed (apt-get install chromium)`;
const title = (test: string) =>
  missing === undefined ? test : `SKIPPED on this host (${missing}): ${test}`;

interface PageReport {
  /** `securitypolicyviolation` events, as the page saw them. */
  violations: { directive: string; blocked: string }[];
  /** Console errors (any, and anything about the Content Security Policy), page errors, failed loads. */
  errors: string[];
  /** Every URL the page asked for that is not on the API's own origin. */
  foreign: string[];
}

/** Records what the CSP refused on a page, from before its first script runs. */
async function watch(page: Page, origin: string): Promise<PageReport> {
  const report: PageReport = { violations: [], errors: [], foreign: [] };
  await page.exposeFunction(
    "__vigilCspViolation",
    (directive: string, blocked: string) =>
      report.violations.push({ directive, blocked }),
  );
  // a string, run in the page before its own scripts (this package has no DOM types)
  await page.addInitScript(`
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__vigilCspViolation(e.effectiveDirective, e.blockedURI));
  `);
  page.on("console", (msg) => {
    // a failed load is reported with its URL below; the console line has none
    if (/^Failed to load resource/.test(msg.text())) {
      return;
    }
    if (msg.type() === "error" || /Content.Security.Policy/i.test(msg.text())) {
      report.errors.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) =>
    report.errors.push(`page error: ${err.message}`),
  );
  page.on("response", (res) => {
    // browsers ask every origin for /favicon.ico; the API has none, and that is no CSP matter
    if (res.status() >= 400 && new URL(res.url()).pathname !== "/favicon.ico") {
      report.errors.push(`${res.status()} for ${res.url()}`);
    }
  });
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:")) {
      report.foreign.push(url);
    }
  });
  return report;
}

describe.skipIf(missing !== undefined)(
  title("/docs and /openapi.json in headless Chromium"),
  () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    apiTest(
      title(
        "Swagger UI renders every route from this origin with helmet's headers and 0 CSP violations",
      ),
      async ({ api }) => {
        const page = await browser.newPage();
        const report = await watch(page, api.url);
        const response = await page.goto(`${api.url}/docs`, {
          waitUntil: "networkidle",
        });
        expect(response?.status()).toBe(200);

        // rendered: the document's title and its operations, fetched from /openapi.json
        await page.waitForSelector(".swagger-ui .info .title", {
          timeout: 15_000,
        });
        expect(await page.textContent(".swagger-ui .info .title")).toContain(
          "Vigil API",
        );
        await page.waitForSelector(".opblock", { timeout: 15_000 });
        const paths = (
          await page.locator(".opblock-summary-path").allTextContents()
        ).map((text) => text.replace(/\u200b/g, ""));
        expect(paths).toContain("/cron/preview");
        expect(paths).toContain("/projects/{id}");
        // an operation opened (Swagger UI's own scripts and styles at work) shows its schema
        await page.locator(".opblock-summary").first().click();
        await page.waitForSelector(".opblock.is-open .opblock-body", {
          timeout: 10_000,
        });

        expect(report.violations).toEqual([]);
        expect(report.errors).toEqual([]);
        expect(report.foreign).toEqual([]);

        const headers = response?.headers() ?? {};
        expect(headers["content-security-policy"]).toContain(
          "script-src 'self'",
        );
        expect(headers["content-security-policy"]).not.toContain(
          "upgrade-insecure-requests",
        );
        expect(headers["x-content-type-options"]).toBe("nosniff");
        expect(headers["x-frame-options"]).toBe("DENY");
        expect(headers["referrer-policy"]).toBe("no-referrer");
        expect(headers["strict-transport-security"]).toMatch(/max-age=\d+/);
        expect(headers["cross-origin-opener-policy"]).toBe("same-origin");
        expect(headers["cross-origin-resource-policy"]).toBe("same-origin");
        expect(headers["x-powered-by"]).toBeUndefined();
        await page.close();
      },
      60_000,
    );

    apiTest(
      title(
        "/openapi.json opens as JSON with the same headers and no CSP violation",
      ),
      async ({ api }) => {
        const page = await browser.newPage();
        const report = await watch(page, api.url);
        const response = await page.goto(`${api.url}/openapi.json`, {
          waitUntil: "networkidle",
        });
        expect(response?.status()).toBe(200);
        expect(response?.headers()["content-type"]).toMatch(
          /^application\/json/,
        );
        const document = JSON.parse((await page.textContent("body")) ?? "") as {
          openapi: string;
          paths: Record<string, unknown>;
        };
        expect(document.openapi).toMatch(/^3\.1/);
        expect(Object.keys(document.paths)).toContain("/cron/preview");
        expect(response?.headers()["content-security-policy"]).toContain(
          "default-src 'self'",
        );
        expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
        expect(report.violations).toEqual([]);
        expect(report.errors).toEqual([]);
        expect(report.foreign).toEqual([]);
        await page.close();
      },
      30_000,
    );
  },
);
