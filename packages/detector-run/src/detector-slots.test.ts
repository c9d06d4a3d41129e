import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { waitFor } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";
import { afterEach, expect, it } from "vitest";

import { createDetectorSlots } from "./detector-slots.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(
    dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })),
  );
});

async function workDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-slots-"));
  await chmod(dir, 0o755); // detectors run as other uids
  dirs.push(dir);
  return dir;
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[^)]*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
};

const withStandbys = (root: string) =>
  createDetectorSlots({
    workDir: root,
    prestart: true,
    extraRead: [],
    logger: createLogger({ level: "silent", name: "test" }),
  });

it("gives concurrent runs different slots, and a released slot its standby for the next run", async () => {
  const slots = withStandbys(await workDir());
  const a = await slots.take();
  const b = await slots.take();
  expect(a.dir).not.toBe(b.dir);
  expect(existsSync(a.runDir)).toBe(true);

  slots.release(a, 256);
  const again = await slots.take(); // the lowest free slot: a, with its standby booted
  expect(again.dir).toBe(a.dir);
  const standby = await again.process(256);
  expect(alive(standby.pid!)).toBe(true);
  // a standby is handed out once: asking again starts a fresh process
  const other = await again.process(256);
  expect(other.pid).not.toBe(standby.pid);
  // what WORK_DIR's collector keeps and touches: both slots and the standbys' runtime
  const kept = slots.folders();
  expect(kept).toEqual(expect.arrayContaining([a.dir, b.dir]));
  expect(
    kept.some((dir) => dir.includes(`${path.sep}.runtime${path.sep}`)),
  ).toBe(true);

  await Promise.all([standby.discard(), other.discard()]);
  slots.release(again, 256);
  slots.release(b, null);
  await slots.close();
});

it("a run that ends before its dispatch leaves the slot's standby waiting, and no second one", async () => {
  const slots = withStandbys(await workDir());
  const slot = await slots.take();
  slots.release(slot, 256);
  await slots.take(); // the same slot, its standby booted
  const before = await bootedProcessesMentioning(slot.runDir);
  expect(before).toHaveLength(1);
  slots.release(slot, 256); // e.g. loading rows failed: nothing was dispatched
  await slots.take();
  expect(await bootedProcessesMentioning(slot.runDir)).toEqual(before);
  slots.release(slot, 384); // the next run wants another memory cap: replaced, not doubled
  await slots.take();
  const after = await bootedProcessesMentioning(slot.runDir);
  expect(after).toHaveLength(1);
  expect(after).not.toEqual(before);
  slots.release(slot, null);
  await slots.close();
});

it("close kills the standbys and removes the slot folders; a run finishing after it boots none", async () => {
  const root = await workDir();
  const slots = withStandbys(root);
  const first = await slots.take();
  const late = await slots.take();
  slots.release(first, 256);
  const reused = await slots.take();
  const standby = await reused.process(256);
  slots.release(reused, 256); // boots the next standby in the background
  await standby.discard();

  await slots.close();
  slots.release(late, 256);
  await new Promise((resolve) => setTimeout(resolve, 300));

  expect(existsSync(path.join(root, ".slots", path.basename(reused.dir)))).toBe(
    false,
  );
  expect(existsSync(path.join(root, ".slots", path.basename(late.dir)))).toBe(
    false,
  );
  expect(processesMentioning(path.join(root, ".slots"))).toEqual([]);
});

/**
 * A standby's /proc cmdline names its run folder only once it has been read through its
 * prlimit → bwrap (or unshare) → setpriv → node exec chain; under load a just-spawned one was
 * seen alive with a cmdline that did not match yet. Waits until every match runs node or is
 * one of bwrap's two processes (it forks, and its cmdline names the run folder it binds), and
 * returns the node ones.
 */
function bootedProcessesMentioning(needle: string): Promise<number[]> {
  return waitFor(
    () => {
      const pids = processesMentioning(needle);
      const nodes = pids.filter((pid) => comm(pid) === "node");
      return nodes.length > 0 &&
        pids.every((pid) => ["node", "bwrap"].includes(comm(pid)))
        ? nodes
        : null;
    },
    { timeoutMs: 5_000, message: `a booted process mentioning ${needle}` },
  );
}

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
};

function processesMentioning(needle: string): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle) &&
          alive(pid)
        );
      } catch {
        return false;
      }
    });
}
