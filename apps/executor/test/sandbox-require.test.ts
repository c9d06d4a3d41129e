import { chown } from "node:fs/promises";

import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import { killStartedExecutors, makeWorkDir, startExecutor } from "./helpers.js";

// SANDBOX_REQUIRE at start-up: a name that is no layer is a config error; a layer this host
// cannot give stops the executor with what the host lacks, before it claims anything.
afterAll(killStartedExecutors);

dbTest(
  "an unknown layer name in SANDBOX_REQUIRE stops the executor with a config error naming the variable",
  async ({ testDatabase }) => {
    const executor = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      SANDBOX_REQUIRE: "mount_namespace,chroot",
    });
    const { code } = await executor.exited;
    expect(code).toBe(2);
    const logs = executor.logs.join("\n");
    expect(logs).toMatch(/SANDBOX_REQUIRE/);
    expect(logs).toMatch(/entry 2: not a sandbox layer/);
  },
);

const isRoot = process.getuid?.() === 0;

dbTest.skipIf(!isRoot)(
  isRoot
    ? "as nobody, SANDBOX_REQUIRE=other_uid,process_cap refuses to start, naming what the host lacks"
    : "SKIPPED (needs root to start an executor as nobody): SANDBOX_REQUIRE refuses what the host lacks",
  async ({ testDatabase }) => {
    const workDir = await makeWorkDir();
    await chown(workDir, 65534, 65534);
    const executor = startExecutor(
      testDatabase.url,
      {
        WORK_DIR: workDir,
        SANDBOX_REQUIRE: "mount_namespace,other_uid,process_cap",
      },
      65534,
    );
    const { code } = await executor.exited;
    expect(code).toBe(2);
    const logs = executor.logs.join("\n");
    expect(logs).toMatch(
      /SANDBOX_REQUIRE names other_uid but the executor does not run as root/,
    );
    expect(logs).toMatch(/SANDBOX_REQUIRE names process_cap but/);
    expect(logs).not.toMatch(/executor started/);
  },
);
