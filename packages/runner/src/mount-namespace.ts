import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";

/** Where a merged-/usr or classic system keeps the dynamic loader, libraries and tools. */
const SYSTEM_PATHS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
];

let cachedSystem: string[] | undefined;

/**
 * bubblewrap arguments that make the Node binary, its shared libraries and the tools the
 * wrapper chain execs inside the namespace (setpriv) visible read-only: `/usr` and the
 * top-level library folders (kept as symlinks where the host has merged /usr), and the folder
 * of a Node installed elsewhere (nvm, /opt). Nothing of `/etc`, `/run`, `/var` or `/home`.
 */
export function systemBinds(): string[] {
  cachedSystem ??= buildSystemBinds();
  return cachedSystem;
}

function buildSystemBinds(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_PATHS) {
    const stat = lstatOrUndefined(dir);
    if (stat?.isSymbolicLink()) {
      args.push("--symlink", readlinkSync(dir), dir);
    } else if (stat?.isDirectory()) {
      args.push("--ro-bind", dir, dir);
    }
  }
  const node = realpathSync(process.execPath);
  // <prefix>/bin/node: the prefix also holds what Node loads at run time (lib/, include/)
  const prefix = path.dirname(path.dirname(node));
  if (!SYSTEM_PATHS.some((dir) => within(prefix, dir))) {
    args.push("--ro-bind", prefix, prefix);
  }
  if (node !== process.execPath) {
    args.push("--ro-bind", process.execPath, process.execPath);
  }
  return args;
}

/**
 * bwrap creates missing parents of a bind as root with mode 0700, which the sandbox uid could
 * not cross; they are made 0755 first. Parents inside another bind are that bind's own.
 */
function parentsToCreate(
  dir: string,
  binds: { dir: string }[],
  created: Set<string>,
): string[] {
  const out: string[] = [];
  const bound = [...SYSTEM_PATHS, ...binds.map((b) => b.dir)];
  let parent = path.dirname(dir);
  const parents: string[] = [];
  while (parent !== "/" && parent !== ".") {
    parents.unshift(parent);
    parent = path.dirname(parent);
  }
  for (const p of parents) {
    if (!created.has(p) && !bound.some((b) => within(p, b))) {
      created.add(p);
      out.push("--perms", "0755", "--dir", p);
    }
  }
  return out;
}

function lstatOrUndefined(dir: string) {
  try {
    return lstatSync(dir);
  } catch {
    return undefined;
  }
}

function within(child: string, parent: string): boolean {
  return child === parent || child.startsWith(`${parent}/`);
}

/**
 * The bubblewrap arguments of one run: system binds, its read-only and read-write folders
 * (parents first, so a writable run folder inside a read-only slot folder stays writable), a
 * private size-capped `/tmp`, `/dev` with only null/zero/random-style nodes, the `/proc` of its
 * own pid namespace. No `--new-session`: the runner kills the detector through its process
 * group, which a new session would leave; with no terminal attached there is nothing to
 * steal input from (TIOCSTI), and `--die-with-parent` plus the pid namespace (its init dying
 * kills every process in it) keep the group's descendants from outliving the run.
 */
export function mountNamespaceArgs(o: {
  read: string[];
  write: string[];
  tmpBytes: number | null;
  isolateNetwork: boolean;
  userNamespace: boolean;
}): string[] {
  const created = new Set<string>();
  const binds = [
    ...o.read.map((dir) => ({ dir, flag: "--ro-bind" })),
    ...o.write.map((dir) => ({ dir, flag: "--bind" })),
  ].sort((a, b) => a.dir.split("/").length - b.dir.split("/").length);
  return [
    ...(o.userNamespace ? ["--unshare-user"] : []),
    "--unshare-pid",
    ...(o.isolateNetwork ? ["--unshare-net"] : []),
    "--die-with-parent",
    ...systemBinds(),
    "--perms",
    "1777",
    ...(o.tmpBytes === null ? [] : ["--size", String(o.tmpBytes)]),
    "--tmpfs",
    "/tmp",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    // bwrap stays in the caller's working directory when it is one of these, else goes to /
    ...binds.flatMap(({ dir, flag }) => [
      ...parentsToCreate(dir, binds, created),
      flag,
      dir,
      dir,
    ]),
    "--",
  ];
}
