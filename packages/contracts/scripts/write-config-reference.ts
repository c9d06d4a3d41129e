/**
 * Rewrites the project-file reference between the config-reference markers in
 * docs/first-project.md from ProjectInputSchema.
 *   npm run config-reference -w @vigil/contracts            rewrite
 *   npm run config-reference -w @vigil/contracts -- --check  exit 1 if it is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { replaceConfigReference } from "../src/config-reference.js";

const check = process.argv.includes("--check");
const file = fileURLToPath(
  new URL("../../../docs/first-project.md", import.meta.url),
);
const markdown = readFileSync(file, "utf8");
const updated = replaceConfigReference(markdown);
if (updated === undefined) {
  console.error(`${file}: no config-reference markers`);
  process.exitCode = 1;
} else if (updated === markdown) {
  console.log(`ok   ${file}`);
} else if (check) {
  console.log(
    `stale ${file}: run npm run config-reference -w @vigil/contracts`,
  );
  process.exitCode = 1;
} else {
  writeFileSync(file, updated);
  console.log(`wrote ${file}`);
}
