import { describe, expect, it } from "vitest";

import { nodeScript } from "../test/helpers.js";
import { detectSandboxCapabilities } from "./capabilities.js";
import { runSandboxed } from "./run-sandboxed.js";
import type { SandboxCapabilities } from "./types.js";
import { wrapCommand } from "./wrap-command.js";

const FULL: SandboxCapabilities = {
  isRoot: true,
  addressSpaceLimit: "prlimit",
  switchUser: true,
  networkNamespace: "net",
  parentDeathSignal: true,
  mountNamespace: "root",
  tools: {
    prlimit: "/usr/bin/prlimit",
    setpriv: "/usr/bin/setpriv",
    unshare: "/usr/bin/unshare",
    sh: "/bin/sh",
    bwrap: "/usr/bin/bwrap",
  },
};
const NOTHING: SandboxCapabilities = {
  isRoot: false,
  addressSpaceLimit: null,
  switchUser: false,
  networkNamespace: null,
  parentDeathSignal: false,
  mountNamespace: null,
  tools: {},
};
const request = nodeScript("0", { command: "/usr/bin/node", memoryMb: 100 });

describe("wrapCommand", () => {
  it("limits first, then the network namespace, then the uid switch with the parent-death signal last", () => {
    const wrapped = wrapCommand(
      { ...request, sandbox: { uid: 1234, gid: 4321 } },
      FULL,
    );
    expect([wrapped.file, ...wrapped.args]).toEqual([
      "/usr/bin/prlimit",
      `--as=${1124 * 1024 * 1024}`,
      "--core=0",
      "--nproc=128",
      "--nofile=256",
      "--",
      "/usr/bin/unshare",
      "--net",
      "--",
      "/usr/bin/setpriv",
      "--reuid=1234",
      "--regid=4321",
      "--clear-groups",
      "--no-new-privs",
      "--pdeathsig",
      "SIGKILL",
      "--",
      "/usr/bin/node",
      "--max-old-space-size=100",
      "-e",
      "0",
    ]);
    expect(wrapped.applied).toEqual({
      addressSpaceMb: 1124,
      heapMb: 100,
      uid: 1234,
      networkIsolated: true,
      maxProcesses: 128,
      parentDeathSignal: true,
      mountNamespace: false,
      pidNamespace: false,
      diskMb: null,
      maxOpenFiles: 256,
      permissionModel: false,
      uidSwept: false,
    });
  });

  it("with a file system to show, bwrap takes the namespaces (parents bound before children) and setpriv runs inside it", () => {
    const wrapped = wrapCommand(
      {
        ...request,
        args: ["--experimental-permission", "main.mjs"],
        sandbox: {
          uid: 1234,
          gid: 4321,
          diskMb: 10,
          filesystem: { read: ["/w/slot"], write: ["/w/slot/run"] },
        },
      },
      FULL,
    );
    const argv = [wrapped.file, ...wrapped.args];
    expect(argv.slice(0, 7)).toEqual([
      "/usr/bin/prlimit",
      `--as=${1124 * 1024 * 1024}`,
      "--core=0",
      "--nproc=128",
      `--fsize=${10 * 1024 * 1024}`,
      "--nofile=256",
      "--",
    ]);
    expect(argv[7]).toBe("/usr/bin/bwrap");
    expect(argv).not.toContain("/usr/bin/unshare");
    expect(argv).not.toContain("--unshare-user");
    const bwrapEnd = argv.indexOf("--", 8);
    const bwrapArgs = argv.slice(8, bwrapEnd);
    for (const flag of [
      "--unshare-pid",
      "--unshare-net",
      "--die-with-parent",
    ]) {
      expect(bwrapArgs).toContain(flag);
    }
    expect(bwrapArgs.join(" ")).toContain(
      `--size ${10 * 1024 * 1024} --tmpfs /tmp`,
    );
    expect(bwrapArgs.join(" ")).toContain(
      "--ro-bind /w/slot /w/slot --bind /w/slot/run /w/slot/run",
    );
    expect(argv[bwrapEnd + 1]).toBe("/usr/bin/setpriv");
    expect(wrapped.applied).toMatchObject({
      mountNamespace: true,
      pidNamespace: true,
      networkIsolated: true,
      diskMb: 10,
      permissionModel: true,
    });
  });

  it("applies only the memory cap and the parent-death signal when no sandbox is requested", () => {
    const wrapped = wrapCommand(request, FULL);
    expect(wrapped.args).not.toContain("--net");
    expect(wrapped.args.some((arg) => arg.startsWith("--reuid"))).toBe(false);
    expect(wrapped.args).toContain("--pdeathsig");
    expect(wrapped.applied).toMatchObject({
      uid: null,
      networkIsolated: false,
      maxProcesses: null,
    });
  });

  it("keeps the network when the sandbox allows it", () => {
    expect(
      wrapCommand({ ...request, sandbox: { isolateNetwork: false } }, FULL)
        .applied.networkIsolated,
    ).toBe(false);
  });

  it("falls back to sh ulimit and skips the process limit without a dedicated uid", () => {
    const wrapped = wrapCommand(
      { ...request, sandbox: {} },
      { ...NOTHING, addressSpaceLimit: "ulimit", tools: { sh: "/bin/sh" } },
    );
    expect([wrapped.file, ...wrapped.args.slice(0, 3)]).toEqual([
      "/bin/sh",
      "-c",
      `ulimit -v ${1124 * 1024} && ulimit -c 0 && ulimit -n 256 && exec "$@"`,
      "sh",
    ]);
    expect(wrapped.applied.maxProcesses).toBeNull();
  });

  it("runs the bare command, with only a heap limit, on a host that allows nothing", () => {
    const wrapped = wrapCommand({ ...request, sandbox: {} }, NOTHING);
    expect([wrapped.file, ...wrapped.args]).toEqual([
      "/usr/bin/node",
      "--max-old-space-size=100",
      "-e",
      "0",
    ]);
    expect(wrapped.applied).toEqual({
      addressSpaceMb: null,
      heapMb: 100,
      uid: null,
      networkIsolated: false,
      maxProcesses: null,
      parentDeathSignal: false,
      mountNamespace: false,
      pidNamespace: false,
      diskMb: null,
      maxOpenFiles: null,
      permissionModel: false,
      uidSwept: false,
    });
  });

  it("leaves a caller's own heap flag and non-Node commands alone", () => {
    expect(
      wrapCommand(
        { ...request, args: ["--max-old-space-size=50", "x.js"] },
        NOTHING,
      ).args,
    ).toEqual(["--max-old-space-size=50", "x.js"]);
    expect(
      wrapCommand({ ...request, command: "/bin/cat", args: [] }, NOTHING)
        .applied.heapMb,
    ).toBeNull();
  });
});

const real = await detectSandboxCapabilities();
const shOnly: SandboxCapabilities = {
  ...NOTHING,
  addressSpaceLimit: "ulimit",
  tools: real.tools.sh ? { sh: real.tools.sh } : {},
};

describe("the sh ulimit fallback", () => {
  it.skipIf(!real.tools.sh)(
    real.tools.sh
      ? "stops a Buffer bomb on a host with sh but without prlimit"
      : "SKIPPED on this host (no sh found): stops a Buffer bomb with sh ulimit",
    async () => {
      const result = await runSandboxed(
        nodeScript(
          `const a = []; for (;;) a.push(Buffer.alloc(64 * 1024 * 1024, 1))`,
          { memoryMb: 128, capabilities: shOnly },
        ),
      );
      expect(result.memoryExceeded).toBe(true);
      expect(result.sandbox.addressSpaceMb).toBe(128 + 1024);
    },
  );
});
