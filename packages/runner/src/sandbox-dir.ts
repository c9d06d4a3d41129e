import { chown, readdir } from "node:fs/promises";
import { join } from "node:path";

import { DEFAULT_SANDBOX_GID, DEFAULT_SANDBOX_UID } from "./capabilities.js";
import type { SandboxCapabilities, SandboxOptions } from "./types.js";

/**
 * Makes a folder the caller created (a run folder) writable by the uid the detector will run as:
 * when the host switches users, the folder and everything in it are chowned to that uid/gid.
 * Otherwise the detector runs as the caller and nothing needs to change.
 * Returns the uid that now owns the folder, or null when nothing was changed.
 *
 * Read access is the caller's job: the project folder, its parents and the Node binary must be
 * readable/executable by "other" (mode o+rx), as folders created with the default umask are.
 */
export async function prepareSandboxDir(
  path: string,
  caps: SandboxCapabilities,
  sandbox: Pick<SandboxOptions, "uid" | "gid"> = {},
): Promise<number | null> {
  if (!caps.switchUser) {
    return null;
  }
  const uid = sandbox.uid ?? DEFAULT_SANDBOX_UID;
  const gid = sandbox.gid ?? DEFAULT_SANDBOX_GID;
  await chownTree(path, uid, gid);
  return uid;
}

async function chownTree(
  path: string,
  uid: number,
  gid: number,
): Promise<void> {
  await chown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      await chownTree(child, uid, gid);
    } else if (!entry.isSymbolicLink()) {
      await chown(child, uid, gid);
    }
  }
}
