import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { garbageCollect } from "./garbage-collect.js";
import { makeWorkDir, removeWorkDirs } from "./testing/fixtures.js";

afterAll(removeWorkDirs);

const NOW = new Date("2026-11-22T12:00:00.000Z");
const HOUR = 3_600_000;

/** A folder of `bytes` bytes last used `hoursAgo` hours before NOW. */
async function makeFolder(
  path: string,
  bytes: number,
  hoursAgo: number,
): Promise<string> {
  await mkdir(path, { recursive: true });
  await writeFile(join(path, "data"), Buffer.alloc(bytes));
  const time = new Date(NOW.getTime() - hoursAgo * HOUR);
  await utimes(path, time, time);
  return path;
}

const detectorName = (n: number) => n.toString(16).padStart(32, "0");

describe("garbageCollect", () => {
  it("removes detector and run folders unused for longer than maxAgeMs, except those in keep", async () => {
    const workDir = await makeWorkDir();
    const oldDetector = await makeFolder(
      join(workDir, "p1", detectorName(1)),
      10,
      48,
    );
    const inUse = await makeFolder(
      join(workDir, "p1", detectorName(2)),
      10,
      48,
    );
    await makeFolder(join(workDir, "p2", detectorName(3)), 10, 1);
    const oldRun = await makeFolder(
      join(workDir, "p1", "runs", "exec-1"),
      10,
      30,
    );
    const staleTemp = await makeFolder(
      join(workDir, "p1", `.tmp-${detectorName(4)}-abc`),
      10,
      2,
    );
    const packages = await makeFolder(
      join(workDir, "node_modules", "decimal.js"),
      10,
      100,
    );

    const result = await garbageCollect({
      workDir,
      maxAgeMs: 24 * HOUR,
      maxTotalBytes: 1_000_000,
      keep: new Set([inUse]),
      now: NOW,
    });

    expect(result.removed.sort()).toEqual(
      [oldDetector, oldRun, staleTemp].sort(),
    );
    expect(result.freedBytes).toBe(30);
    expect(result.remainingBytes).toBe(20);
    expect((await readdir(join(workDir, "p1"))).sort()).toEqual([
      detectorName(2),
      "runs",
    ]);
    expect(await readdir(join(workDir, "p2"))).toEqual([detectorName(3)]);
    expect(await readdir(packages)).toEqual(["data"]);
  });

  it("removes the least recently used folders until the rest fit in maxTotalBytes, never kept ones", async () => {
    const workDir = await makeWorkDir();
    const oldest = await makeFolder(
      join(workDir, "p", detectorName(1)),
      400,
      5,
    );
    const keptOld = await makeFolder(
      join(workDir, "p", "runs", "running"),
      400,
      6,
    );
    const middle = await makeFolder(
      join(workDir, "p", detectorName(2)),
      400,
      3,
    );
    await makeFolder(join(workDir, "p", detectorName(3)), 400, 1);

    const result = await garbageCollect({
      workDir,
      maxAgeMs: 100 * HOUR,
      maxTotalBytes: 1000,
      keep: new Set([keptOld]),
      now: NOW,
    });

    expect(result.removed).toEqual([oldest, middle]);
    expect(result.remainingBytes).toBe(800);
    expect((await readdir(join(workDir, "p"))).sort()).toEqual([
      detectorName(3),
      "runs",
    ]);
    expect(await readdir(join(workDir, "p", "runs"))).toEqual(["running"]);
  });

  it("removes a crashed executor's slots after staleTempMs and other versions' runtimes after maxAgeMs, outside the size budget", async () => {
    const workDir = await makeWorkDir();
    const crashedSlot = await makeFolder(
      join(workDir, ".slots", "1007000"),
      10,
      2,
    );
    const liveSlot = await makeFolder(
      join(workDir, ".slots", "1009000"),
      10,
      2,
    );
    await makeFolder(join(workDir, ".slots", "1011000"), 10, 0.5); // an executor between passes
    const oldRuntime = await makeFolder(
      join(workDir, ".runtime", detectorName(7)),
      10,
      48,
    );
    const currentRuntime = await makeFolder(
      join(workDir, ".runtime", detectorName(8)),
      10,
      48,
    );
    const halfWritten = await makeFolder(
      join(workDir, ".runtime", `.tmp-${detectorName(9)}-x`),
      10,
      2,
    );
    const detector = await makeFolder(
      join(workDir, "p", detectorName(1)),
      100,
      1,
    );

    const result = await garbageCollect({
      workDir,
      maxAgeMs: 24 * HOUR,
      maxTotalBytes: 100,
      keep: new Set([liveSlot, currentRuntime]),
      now: NOW,
    });

    expect(result.removed.sort()).toEqual(
      [crashedSlot, oldRuntime, halfWritten].sort(),
    );
    // slots and runtimes do not count toward maxTotalBytes: the detector folder alone fits
    expect(result.remainingBytes).toBe(100);
    expect((await readdir(join(workDir, ".slots"))).sort()).toEqual([
      "1009000",
      "1011000",
    ]);
    expect(await readdir(join(workDir, ".runtime"))).toEqual([detectorName(8)]);
    expect(await readdir(detector)).toEqual(["data"]);
  });
});
