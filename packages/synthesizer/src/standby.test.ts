import { spawn } from "node:child_process";
import {
  cp,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import {
  prepareStandbyRuntime,
  slotLayout,
  stageDetectorInSlot,
} from "./standby.js";
import { synthesizeDetector } from "./synthesize-detector.js";
import {
  buildRule,
  makeWorkDir,
  newNonce,
  removeWorkDirs,
  writeRunFolder,
} from "./testing/fixtures.js";
import { verifyDetectorResult } from "./verify-detector-result.js";

afterAll(removeWorkDirs);

const ROWS = [
  { order_id: "o1", order_total: 10, paid: 10 },
  { order_id: "o2", order_total: 10, paid: 3 },
];

describe("prepareStandbyRuntime", () => {
  it("writes the runtime and the standby entry once per template digest, world-readable", async () => {
    const workDir = await makeWorkDir();
    const runtime = await prepareStandbyRuntime(workDir);
    expect(runtime.dir).toMatch(
      new RegExp(`^${workDir}/\\.runtime/[0-9a-f]{32}$`),
    );
    expect(runtime.entry).toBe(join(runtime.dir, "standby.mjs"));
    expect((await readdir(join(runtime.dir, "runtime"))).sort()).toContain(
      "run-detector.mjs",
    );
    expect((await stat(runtime.dir)).mode & 0o777).toBe(0o755);
    expect(await prepareStandbyRuntime(workDir)).toEqual(runtime);
    expect(await readdir(join(workDir, ".runtime"))).toEqual([
      runtime.dir.split("/").pop(),
    ]);
  });

  it("marks a runtime an earlier process left as used, so WORK_DIR's collector does not take it for an old version's", async () => {
    const earlier = await makeWorkDir();
    const left = await prepareStandbyRuntime(earlier);
    const workDir = await makeWorkDir();
    await cp(join(earlier, ".runtime"), join(workDir, ".runtime"), {
      recursive: true,
    });
    const dir = join(workDir, ".runtime", left.dir.split("/").pop()!);
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600_000);
    await utimes(dir, weekAgo, weekAgo);
    const runtime = await prepareStandbyRuntime(workDir);
    expect(runtime.dir).toBe(dir);
    expect(Date.now() - (await stat(dir)).mtimeMs).toBeLessThan(60_000);
  });

  it("writes the runtime again when it was removed after being prepared (by WORK_DIR's collector, say)", async () => {
    const workDir = await makeWorkDir();
    const runtime = await prepareStandbyRuntime(workDir);
    await rm(runtime.dir, { recursive: true });
    expect(await prepareStandbyRuntime(workDir)).toEqual(runtime);
    expect((await stat(runtime.entry)).isFile()).toBe(true);
  });
});

describe("stageDetectorInSlot", () => {
  it("links the manifest and rules into the slot, replacing what a previous run left", async () => {
    const workDir = await makeWorkDir();
    const detector = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [buildRule()],
      dataSourceType: "manual",
    });
    const slot = join(workDir, ".slots", "1");
    const { detectorDir } = slotLayout(slot);
    await stageDetectorInSlot(detector.dir, slot);
    await writeFile(join(detectorDir, "rules", "99-left-over.mjs"), "");
    await stageDetectorInSlot(detector.dir, slot);

    expect((await readdir(detectorDir)).sort()).toEqual([
      "manifest.json",
      "rules",
    ]);
    const [rule] = await readdir(join(detectorDir, "rules"));
    expect(await readdir(join(detectorDir, "rules"))).toEqual([rule]);
    // a hard link: the same file, no bytes copied
    expect((await stat(join(detectorDir, "rules", rule!))).ino).toBe(
      (await stat(join(detector.dir, "rules", rule!))).ino,
    );
  });

  it("a standby that booted before the detector was staged runs it like `node main.mjs <run folder>`", async () => {
    const workDir = await makeWorkDir();
    const runtime = await prepareStandbyRuntime(workDir);
    const detector = await synthesizeDetector({
      workDir,
      projectId: "shop",
      rules: [buildRule()],
      dataSourceType: "manual",
    });
    const slot = join(workDir, ".slots", "2");
    const { runDir } = slotLayout(slot);
    const input = await writeRunFolder({
      workDir,
      projectId: "shop",
      rows: ROWS,
    });

    const child = spawn(process.execPath, [runtime.entry, runDir], {
      cwd: workDir,
      env: { TZ: "UTC" },
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    let fd3 = "";
    let stderr = "";
    (child.stdio[3] as NodeJS.ReadableStream).on(
      "data",
      (c: Buffer) => (fd3 += c.toString()),
    );
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const closed = new Promise<number | null>((resolve) =>
      child.on("close", resolve),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // booted, blocked on stdin
    expect(child.exitCode).toBeNull();

    await cp(input, runDir, { recursive: true });
    await stageDetectorInSlot(detector.dir, slot);
    const nonce = newNonce();
    child.stdin.end(`${JSON.stringify({ nonce })}\n`);

    expect(await closed, stderr).toBe(0);
    const verified = verifyDetectorResult(fd3, nonce);
    expect(verified.ok, stderr).toBe(true);
    if (verified.ok) {
      expect(verified.result.rowCount).toBe(2);
      expect(verified.result.rules[0]?.findings).toHaveLength(1);
    }
    expect(await readFile(join(runDir, "rows.ndjson"), "utf8")).toContain("o2");
  });
});
