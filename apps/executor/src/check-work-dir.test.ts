import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect, it } from "vitest";

import { findUnreachableWorkDir } from "./check-work-dir.js";

it("names the folder a detector's uid cannot enter, and accepts a searchable path", async () => {
  const parent = await mkdtemp(path.join(os.tmpdir(), "vigil-workdir-"));
  await chmod(parent, 0o700);
  expect(await findUnreachableWorkDir(path.join(parent, "work"))).toMatch(
    `cannot enter ${parent} (mode 0700)`,
  );
  await chmod(parent, 0o755);
  expect(await findUnreachableWorkDir(path.join(parent, "work"))).toBeNull();
});
