import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { parse } from "yaml";
import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const DIR = fileURLToPath(new URL("../prometheus/", import.meta.url));

async function promtool(args: string[]): Promise<string> {
  try {
    const { stdout } = await run("promtool", args, { cwd: DIR });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & {
      stdout?: string;
      stderr?: string;
    };
    throw new Error(
      e.code === "ENOENT"
        ? "promtool is not installed (apt-get install prometheus)"
        : `promtool ${args.join(" ")}: ${e.stdout ?? ""}${e.stderr ?? e.message}`,
    );
  }
}

describe("deploy/prometheus/alerts.yml", () => {
  test("is valid and its alerts fire as alerts.test.yml expects", async () => {
    expect(await promtool(["check", "rules", "alerts.yml"])).toContain(
      "SUCCESS",
    );
    expect(await promtool(["test", "rules", "alerts.test.yml"])).toContain(
      "SUCCESS",
    );
  });

  test("every alert has a severity and a summary", () => {
    const rules = parse(readFileSync(path.join(DIR, "alerts.yml"), "utf8")) as {
      groups: {
        rules: {
          alert: string;
          labels?: { severity?: string };
          annotations?: { summary?: string };
        }[];
      }[];
    };
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(["info", "warning", "critical"], a.alert).toContain(
        a.labels?.severity,
      );
      expect(a.annotations?.summary, a.alert).toBeTruthy();
    }
  });
});
