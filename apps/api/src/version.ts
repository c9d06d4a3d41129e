import { readFileSync } from "node:fs";

/** This app's version from its package.json (src/ and dist/ both sit one level below it). */
export function readVersion(): string {
  const text = readFileSync(
    new URL("../package.json", import.meta.url),
    "utf8",
  );
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "0.0.0";
}
