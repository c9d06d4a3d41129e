import { access, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";
import { garbageCollect } from "@vigil/synthesizer";

import {
  createProject,
  explain,
  loadFixture,
  runProject,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// The detector cache as the real executor process uses it: WORK_DIR/<project>/<hash>/ is
// rendered once per hash and reused; garbage collection between runs never breaks the next run.
afterAll(killStartedExecutors);

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

dbTest(
  "the same rules reuse their detector folder without rendering; changed code gets a new folder; GC removes old folders and the next run renders again",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const projectId = await createProject(db, [{ ruleId: "honest" }]);

    // miss: the first run renders the folder
    const first = await runProject(db, testDatabase.url, projectId);
    expect(first.execution.status, explain(first, executor)).toBe("success");
    const firstDir = first.detectorDir!;
    const rendered = await stat(path.join(firstDir, "main.mjs"));
    // a marker a re-render would not carry over (folders are renamed into place whole)
    await writeFile(path.join(firstDir, "cache-marker"), "");

    // hit: same hash, same folder, same files, nothing rendered again
    const second = await runProject(db, testDatabase.url, projectId);
    expect(second.execution.status, explain(second, executor)).toBe("success");
    expect(second.execution.detector_hash).toBe(first.execution.detector_hash);
    expect(await exists(path.join(firstDir, "cache-marker"))).toBe(true);
    expect((await stat(path.join(firstDir, "main.mjs"))).ino).toBe(
      rendered.ino,
    );
    expect(second.findings).toEqual(first.findings);

    // miss: changed rule code is another hash and another folder; the old one stays until GC
    const changed = (await loadFixture("honest")).replace(
      "is off",
      "does not add up",
    );
    await db
      .updateTable("rules")
      .set({ code: changed })
      .where("project_id", "=", projectId)
      .execute();
    const third = await runProject(db, testDatabase.url, projectId);
    expect(third.execution.status, explain(third, executor)).toBe("success");
    expect(third.execution.detector_hash).not.toBe(
      first.execution.detector_hash,
    );
    expect(third.findings).toEqual({
      honest: { o2: "order o2 does not add up" },
    });
    expect(await exists(firstDir)).toBe(true);

    // GC with everything expired except the current detector: the old detector and all run folders go.
    // Like the executor's own collector, it keeps the runtime its standbys boot from.
    const runtimes = await liveRuntimes(workDir);
    const gc = await garbageCollect({
      workDir,
      maxAgeMs: 1,
      maxTotalBytes: 1 << 30,
      keep: new Set([third.detectorDir!, ...runtimes]),
      now: new Date(Date.now() + 60_000),
    });
    expect(gc.removed).toEqual(
      expect.arrayContaining([
        firstDir,
        first.runDir,
        second.runDir,
        third.runDir,
      ]),
    );
    expect(gc.removed).not.toContain(third.detectorDir);
    expect(await exists(firstDir)).toBe(false);
    expect(await exists(path.join(workDir, "control-plane-secret.txt"))).toBe(
      true,
    );

    // the kept folder is still a hit
    const fourth = await runProject(db, testDatabase.url, projectId);
    expect(fourth.execution.status, explain(fourth, executor)).toBe("success");
    expect(fourth.execution.detector_hash).toBe(third.execution.detector_hash);

    // GC of everything but the standbys' runtime, then a run renders the same hash again from scratch
    await garbageCollect({
      workDir,
      maxAgeMs: 1,
      maxTotalBytes: 1 << 30,
      keep: new Set(runtimes),
      now: new Date(Date.now() + 60_000),
    });
    expect(await exists(third.detectorDir!)).toBe(false);
    const fifth = await runProject(db, testDatabase.url, projectId);
    expect(fifth.execution.status, explain(fifth, executor)).toBe("success");
    expect(fifth.execution.detector_hash).toBe(third.execution.detector_hash);
    expect(fifth.findings).toEqual(third.findings);
  },
  60_000,
);

/** `WORK_DIR/.runtime/<digest>`: a live executor keeps (and touches) the one its standbys boot from. */
async function liveRuntimes(workDir: string): Promise<string[]> {
  const root = path.join(workDir, ".runtime");
  return (await readdir(root))
    .filter((name) => !name.startsWith("."))
    .map((name) => path.join(root, name));
}
