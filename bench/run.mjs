#!/usr/bin/env node
// `npm run bench` runs every benchmark; `npm run bench -- NAME [NAME...]` runs some.
// Each bench/<name>/main.(ts|mjs) prints a table and ends with one line `RESULT {...}`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// folders starting with "_" hold code the benchmarks share
const all = readdirSync(here)
  .filter(
    (d) =>
      statSync(path.join(here, d)).isDirectory() &&
      d !== "node_modules" &&
      !d.startsWith("_"),
  )
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(", ")}; available: ${all.join(", ")}`,
  );
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  const dir = path.join(here, name);
  const ts = path.join(dir, "main.ts");
  const mjs = path.join(dir, "main.mjs");
  const args = existsSync(ts)
    ? ["--conditions=@vigil/source", "--import", "tsx", ts]
    : existsSync(mjs)
      ? [mjs]
      : undefined;
  if (!args) {
    console.error(`bench/${name} has no main.ts or main.mjs; skipped`);
    continue;
  }
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, args, {
    stdio: "inherit",
    cwd: path.dirname(here),
  });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${name} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
