/**
 * Rewrites the env table between the env-table markers in the given Markdown files
 * (default: this package's README, the repository README and each app's README) from
 * ENV_VARS.
 *   npm run env-table -w @vigil/config            rewrite
 *   npm run env-table -w @vigil/config -- --check  exit 1 if a table is stale
 * Files without the markers are skipped.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { APP_NAMES, replaceEnvTable } from "../src/index.js";

const args = process.argv.slice(2);
const check = args.includes("--check");
const named = args.filter((arg) => arg !== "--check");
const files =
  named.length > 0
    ? named
    : [
        fileURLToPath(new URL("../README.md", import.meta.url)),
        fileURLToPath(new URL("../../../README.md", import.meta.url)),
        ...APP_NAMES.map((app) =>
          fileURLToPath(
            new URL(`../../../apps/${app}/README.md`, import.meta.url),
          ),
        ),
      ];

let stale = 0;
for (const file of files) {
  let markdown: string;
  try {
    markdown = readFileSync(file, "utf8");
  } catch {
    console.log(`skip ${file}: not found`);
    continue;
  }
  const updated = replaceEnvTable(markdown);
  if (updated === undefined) {
    console.log(`skip ${file}: no env-table markers`);
  } else if (updated === markdown) {
    console.log(`ok   ${file}`);
  } else if (check) {
    stale += 1;
    console.log(`stale ${file}: run npm run env-table -w @vigil/config`);
  } else {
    writeFileSync(file, updated);
    console.log(`wrote ${file}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
