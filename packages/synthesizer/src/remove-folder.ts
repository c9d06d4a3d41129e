import { randomBytes } from "node:crypto";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Prefix of folders that are not (or no longer) detectors: renders in progress and folders
 * being deleted. Garbage collection removes stale ones.
 */
export const TEMP_PREFIX = ".tmp-";

/**
 * Removes a folder without ever showing a half-deleted one under its name: it is first renamed
 * aside (atomic), then deleted. A synthesizer checking for the folder sees it whole or not at all.
 */
export async function removeFolder(
  dir: string,
  aside: string = dirname(dir),
): Promise<void> {
  const trash = join(
    aside,
    `${TEMP_PREFIX}gc-${basename(dir)}-${randomBytes(4).toString("hex")}`,
  );
  try {
    await rename(dir, trash);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return;
    }
    throw err;
  }
  await rm(trash, { recursive: true, force: true });
}
