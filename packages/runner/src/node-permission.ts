/**
 * The flags that turn on Node's permission model with file-system allow-lists. The switch is
 * `--experimental-permission` on Node 20 (and 22 before 22.13) and `--permission` from 22.13 /
 * 23.5; each allowed path is its own `--allow-fs-read=`/`--allow-fs-write=` flag (comma lists
 * are rejected with a warning since 20.16). Child processes, workers, native addons and the
 * inspector stay blocked because no `--allow-*` flag for them is added. Code generation from
 * strings (eval, new Function) is switched off too.
 *
 * `nodeVersion` defaults to this process's version, because detectors run on `process.execPath`.
 */
export function nodePermissionFlags(opts: {
  read: string[];
  write: string[];
  nodeVersion?: string;
}): string[] {
  return [
    permissionSwitch(opts.nodeVersion ?? process.versions.node),
    // Node 20's "Permission is an experimental feature" would open every execution's
    // stderr_tail, hiding what the rules printed (the flag exists from 20.11)
    "--disable-warning=ExperimentalWarning",
    // eval and new Function would let rule code build import() calls the synthesizer's
    // static import check never saw (see packages/synthesizer README, "What rule code may import")
    "--disallow-code-generation-from-strings",
    ...opts.read.map((path) => `--allow-fs-read=${path}`),
    ...opts.write.map((path) => `--allow-fs-write=${path}`),
  ];
}

function permissionSwitch(
  version: string,
): "--permission" | "--experimental-permission" {
  const [major = 0, minor = 0] = version
    .replace(/^v/, "")
    .split(".")
    .map(Number);
  const stable =
    major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
  return stable ? "--permission" : "--experimental-permission";
}
