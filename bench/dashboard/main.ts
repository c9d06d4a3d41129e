/**
 * bench/dashboard: how fast the dashboard shows its data with 1,000 projects and 1,000,000
 * executions: time to first meaningful content of the overview and of the big project's page
 * in headless Chromium (Debian's /usr/bin/chromium; p50 of 5 cold loads), the JS bundle size,
 * and, measured in the same run, the time of each API call those pages make (replayed from
 * Node, p50 of 5). Prints a table, then `RESULT {json}`. See README.md.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { createDb, migrateToLatest } from "@vigil/db";
import pg from "pg";
import { chromium } from "playwright-core";

import { startApiProcess, type RunningApi } from "../_shared/api-process.js";
import { startBenchPostgres } from "../_shared/postgres.js";
import { seedDatabase } from "../api/seed.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const shape = {
  projects: arg("projects", 1000),
  executions: arg("executions", 1_000_000),
  bigProjectExecutions: arg("big-project", 200_000),
  days: arg("days", 30),
  pendingTriggersPerProject: arg("pending", 10),
};
const loads = arg("loads", 5);
const log = (line: string) => console.error(`[bench/dashboard] ${line}`);
const CHROMIUM = "/usr/bin/chromium";
const DIST = fileURLToPath(
  new URL("../../apps/dashboard/dist/", import.meta.url),
);
const API_DIST = fileURLToPath(
  new URL("../../apps/api/dist/main.js", import.meta.url),
);

/**
 * The first element that shows a page's data (not its frame or "Loading…"): the overview's
 * 24-hour execution count, and a marker of the project's execution timeline.
 */
const PAGES = [
  {
    name: "overview",
    path: "/ui/",
    selector: '[data-testid="executions-24h"]',
  },
  {
    name: "project",
    path: "/ui/projects/p0000",
    selector: "svg.timeline g.point",
  },
] as const;

const p50 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const round = (x: number) => Math.round(x * 10) / 10;

function bundle() {
  const assets = path.join(DIST, "assets");
  const js = readdirSync(assets).filter((f) => f.endsWith(".js"));
  const bytes = js.map((f) => readFileSync(path.join(assets, f)));
  return {
    files: js.length,
    bytes: bytes.reduce((n, b) => n + b.length, 0),
    gzip_bytes: bytes.reduce((n, b) => n + gzipSync(b).length, 0),
  };
}

for (const [what, file] of [
  ["Chromium", CHROMIUM],
  ["the dashboard build (npm run build -w @vigil/dashboard)", DIST],
  ["the API build (npm run build)", API_DIST],
] as const) {
  if (!existsSync(file)) {
    console.error(`bench/dashboard needs ${what}: ${file} is missing`);
    process.exit(2);
  }
}

const server = await startBenchPostgres(log, "dashboard");
const database = `vigil_bench_dashboard_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: server.adminUrl });
await admin.connect();
await admin.query(`create database ${database}`);
await admin.end();
const databaseUrl = server.urlFor(database);
let api: RunningApi | undefined;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const handle = createDb({ connectionString: databaseUrl, max: 2 });
  const migrated = await migrateToLatest(handle.db);
  if (migrated.error) {
    throw migrated.error;
  }
  const seedStarted = Date.now();
  log(`seeding ${shape.projects} projects and ${shape.executions} executions`);
  await seedDatabase(handle.db, shape);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s`);
  await handle.close();

  api = await startApiProcess(databaseUrl, {
    token: "bench-token-aaaaaaaaaaaaaaaa",
    env: {},
  });
  const origin = api.url;

  const results = [];
  for (const p of PAGES) {
    const fmc: number[] = [];
    const calls = new Set<string>();
    // one warm-up load: the API's first queries plan and fill caches, as for any user but the first
    for (let i = 0; i <= loads; i++) {
      // a new context per load: an empty HTTP cache, as a first visit
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
      });
      // the page's own clock at the first DOM change that shows the data: no polling delay
      await context.addInitScript((selector: string) => {
        const w = window as unknown as { __firstContent?: number };
        const seen = new MutationObserver(() => {
          if (document.querySelector(selector) !== null) {
            w.__firstContent = performance.now();
            seen.disconnect();
          }
        });
        seen.observe(document, { childList: true, subtree: true });
      }, p.selector);
      const page = await context.newPage();
      page.on("request", (r) => {
        const u = new URL(r.url());
        if (u.origin === origin && !u.pathname.startsWith("/ui")) {
          calls.add(u.pathname + u.search);
        }
      });
      await page.goto(origin + p.path, { waitUntil: "commit" });
      const ms = (await (
        await page.waitForFunction(
          () =>
            (window as unknown as { __firstContent?: number }).__firstContent,
          undefined,
          { timeout: 60_000 },
        )
      ).jsonValue()) as number;
      if (i > 0) {
        fmc.push(ms);
      }
      await context.close();
    }
    const apiCalls = [];
    for (const call of [...calls].sort()) {
      const times: number[] = [];
      for (let i = 0; i < loads; i++) {
        const t = performance.now();
        const res = await fetch(origin + call);
        await res.arrayBuffer();
        times.push(performance.now() - t);
        if (!res.ok) {
          throw new Error(`${call}: ${res.status}`);
        }
      }
      apiCalls.push({ path: call, p50_ms: round(p50(times)) });
    }
    const slowest = Math.max(...apiCalls.map((c) => c.p50_ms));
    const row = {
      page: p.name,
      path: p.path,
      first_content_p50_ms: round(p50(fmc)),
      first_content_ms: fmc.map(round),
      api_calls: apiCalls,
      slowest_api_call_p50_ms: slowest,
    };
    log(
      `${p.name}: first content p50 ${row.first_content_p50_ms} ms (${row.first_content_ms.join(", ")}); slowest API call ${slowest} ms`,
    );
    results.push(row);
  }
  const js = bundle();

  console.log(
    `\nbench/dashboard: ${shape.projects} projects, ${shape.executions} executions (${shape.bigProjectExecutions} in p0000), ${loads} cold loads per page in Chromium after one warm-up\n`,
  );
  console.log(
    "| page | first content p50 ms | slowest API call p50 ms | API calls (p50 ms each) |",
  );
  console.log("| --- | ---: | ---: | --- |");
  for (const r of results) {
    console.log(
      `| ${r.path} | ${r.first_content_p50_ms} | ${r.slowest_api_call_p50_ms} | ${r.api_calls.map((c) => `${c.path} ${c.p50_ms}`).join("; ")} |`,
    );
  }
  console.log(
    `\nJS bundle: ${js.files} file(s), ${js.bytes} bytes, ${js.gzip_bytes} bytes gzipped`,
  );
  console.log(
    `RESULT ${JSON.stringify({
      bench: "dashboard",
      projects: shape.projects,
      executions: shape.executions,
      big_project_executions: shape.bigProjectExecutions,
      loads,
      seed_seconds: round(seedSeconds),
      js_bundle_bytes: js.bytes,
      js_bundle_gzip_bytes: js.gzip_bytes,
      pages: Object.fromEntries(results.map((r) => [r.page, r])),
    })}`,
  );
} finally {
  await browser.close();
  await api?.stop();
  await server.stop();
}
