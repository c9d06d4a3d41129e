import { existsSync } from "node:fs";
import { mkdir, mkdtemp, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { waitFor } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";
import { expect, it } from "vitest";

import { createWorkDirGc } from "./work-dir-gc.js";

async function folder(dir: string, ageDays: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "input.ndjson"), "{}\n");
  const t = new Date(Date.now() - ageDays * 24 * 3600_000);
  await utimes(dir, t, t);
  return dir;
}

/** A collector with room to spare (so only age decides), keeping `inUse`, started. */
function startGc(workDir: string, inUse: string): { stop(): void } {
  const gc = createWorkDirGc({
    workDir,
    maxTotalBytes: 1024 ** 3,
    inUse: () => new Set([inUse]),
    logger: createLogger({ level: "silent", name: "test" }),
  });
  gc.start();
  return gc;
}

it("removes old run and detector folders but never the folders of runs in flight", async () => {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-gc-"));
  const oldRun = await folder(path.join(workDir, "p1", "runs", "1"), 30);
  const inFlight = await folder(path.join(workDir, "p1", "runs", "2"), 30);
  const oldDetector = await folder(
    path.join(workDir, "p1", "0".repeat(32)),
    30,
  );
  const freshRun = await folder(path.join(workDir, "p1", "runs", "3"), 0);
  const gc = startGc(workDir, inFlight);
  try {
    await waitFor(() => !existsSync(oldRun) && !existsSync(oldDetector), {
      message: "the old folders to go",
    });
    expect(existsSync(inFlight)).toBe(true);
    expect(existsSync(freshRun)).toBe(true);
  } finally {
    gc.stop();
  }
});

it("touches the folders it keeps, so another executor sharing WORK_DIR does not take its idle slots for a crash's leftovers", async () => {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-gc-"));
  const ownSlot = await folder(path.join(workDir, ".slots", "1001000"), 1);
  const crashedSlot = await folder(path.join(workDir, ".slots", "1002000"), 1);
  const gc = startGc(workDir, ownSlot);
  try {
    await waitFor(() => !existsSync(crashedSlot), {
      message: "the crashed executor's slot to go",
    });
    expect(Date.now() - (await stat(ownSlot)).mtimeMs).toBeLessThan(60_000);
  } finally {
    gc.stop();
  }
});
