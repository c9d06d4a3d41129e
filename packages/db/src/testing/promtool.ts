import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's `prometheus` package installs it here (.ci/run installs that package). */
export const PROMTOOL = "/usr/bin/promtool";

/** Why promtool tests skip on this machine, or undefined when promtool is there. */
export function promtoolMissing(): string | undefined {
  return existsSync(PROMTOOL)
    ? undefined
    : `${PROMTOOL} is not installed (apt-get install prometheus)`;
}

/** A test title that says up front when the test will skip for want of promtool. */
export function promtoolTitle(test: string): string {
  const missing = promtoolMissing();
  return missing === undefined
    ? test
    : `SKIPPED on this host (${missing}): ${test}`;
}

/**
 * `promtool check metrics` over one scrape: its exit code and what it printed (each
 * problem it finds, such as a counter without `_total` or a gauge named `*_total`).
 */
export function promtoolCheckMetrics(
  text: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ["check", "metrics"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
