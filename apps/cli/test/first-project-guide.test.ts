import { readFileSync } from "node:fs";

import { dbTest } from "@vigil/db/testing";
import { describe, expect, it } from "vitest";

import { runCli as vigil, runCliOn, yamlFile } from "./run-cli.js";

const guide = readFileSync(
  new URL("../../../docs/first-project.md", import.meta.url),
  "utf8",
);

/** The first ```yaml block after `marker` in docs/first-project.md. */
function yamlAfter(marker: string): string {
  const at = guide.indexOf(marker);
  expect(at, `docs/first-project.md has ${marker}`).toBeGreaterThan(-1);
  const block = /```yaml\n([\s\S]*?)```/.exec(guide.slice(at));
  expect(block, `a yaml block after ${marker}`).not.toBeNull();
  return block![1]!;
}

describe("docs/first-project.md", () => {
  it("its walkthrough project validates", async () => {
    const res = await vigil([
      "validate",
      "-f",
      await yamlFile(yamlAfter("<!-- first-project:example")),
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("shop-orders");
  });

  it("its multi-project file validates, with every project of both forms", async () => {
    const res = await vigil([
      "validate",
      "-f",
      await yamlFile(yamlAfter("## 2. Several projects in one file")),
    ]);
    expect(res.code, res.stderr).toBe(0);
    for (const id of ["shop-orders", "shop-refunds", "shop-stock"]) {
      expect(res.stdout).toContain(id);
    }
  });

  it("would catch a broken example: a :param the project does not define", async () => {
    const res = await vigil([
      "validate",
      "-f",
      await yamlFile(
        yamlAfter("<!-- first-project:example").replace(":skipped", ":skiped"),
      ),
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("shop-orders: config.data_source.query");
  });

  dbTest(
    // the walkthrough's tables and source credentials are not here (first-project-stack has them),
    // so plan shows the diff alone
    "its walkthrough holds: plan shows changes, apply, plan then none, export applies unchanged",
    async ({ testDatabase }) => {
      const file = await yamlFile(yamlAfter("<!-- first-project:example"));
      expect(
        (await runCliOn(["plan", "-f", file, "--no-dry-run"], testDatabase.url))
          .code,
      ).toBe(2);
      const applied = await runCliOn(["apply", "-f", file], testDatabase.url);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain("shop-orders: created");
      expect(
        (await runCliOn(["plan", "-f", file, "--no-dry-run"], testDatabase.url))
          .code,
      ).toBe(0);
      const exported = await runCliOn(
        ["export", "shop-orders"],
        testDatabase.url,
      );
      expect(exported.code, exported.stderr).toBe(0);
      const again = await runCliOn(
        ["plan", "-f", await yamlFile(exported.stdout), "--no-dry-run"],
        testDatabase.url,
      );
      expect(again.code, again.stdout).toBe(0);
    },
  );
});
