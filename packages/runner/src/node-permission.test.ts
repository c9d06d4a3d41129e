import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { isAlive, makeTempDir, nodeScript } from "../test/helpers.js";
import { nodePermissionFlags } from "./node-permission.js";
import { runSandboxed } from "./run-sandboxed.js";

describe("nodePermissionFlags", () => {
  it("uses the experimental switch on Node 20 and 22.12, the stable one from 22.13 and on 24", () => {
    const flag = (nodeVersion: string) =>
      nodePermissionFlags({ read: [], write: [], nodeVersion })[0];
    expect(flag("20.20.2")).toBe("--experimental-permission");
    expect(flag("v22.12.0")).toBe("--experimental-permission");
    expect(flag("22.13.0")).toBe("--permission");
    expect(flag("24.1.0")).toBe("--permission");
  });

  it("gives each allowed path its own flag", () => {
    expect(
      nodePermissionFlags({
        read: ["/a", "/b"],
        write: ["/c"],
        nodeVersion: "20.20.0",
      }),
    ).toEqual([
      "--experimental-permission",
      "--disable-warning=ExperimentalWarning",
      "--disallow-code-generation-from-strings",
      "--allow-fs-read=/a",
      "--allow-fs-read=/b",
      "--allow-fs-write=/c",
    ]);
  });

  it("stops a detector from reading outside its allow-list and from spawning processes", async () => {
    const dir = await makeTempDir();
    try {
      const main = join(dir.path, "main.cjs");
      await writeFile(
        main,
        `const fs = require("fs");
         const tryIt = (f) => { try { f(); return "allowed"; } catch (e) { return e.code; } };
         console.log(JSON.stringify({
           own: tryIt(() => fs.readFileSync(__filename)),
           secret: tryIt(() => fs.readFileSync("/etc/hostname")),
           spawn: tryIt(() => require("child_process").execFileSync("/bin/true")),
         }));`,
      );
      const flags = nodePermissionFlags({ read: [dir.path], write: [] });
      const result = await runSandboxed(
        nodeScript("", { args: [...flags, main], cwd: dir.path, sandbox: {} }),
      );
      expect(JSON.parse(result.stdout.head)).toEqual({
        own: "allowed",
        secret: "ERR_ACCESS_DENIED",
        spawn: "ERR_ACCESS_DENIED",
      });
      expect(result.stderr.head).not.toContain("ExperimentalWarning");
      expect(result.pid !== undefined && isAlive(result.pid)).toBe(false);
    } finally {
      await dir.cleanup();
    }
  });
});
