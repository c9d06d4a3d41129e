import { access } from "node:fs/promises";

/** True when `path` exists (and is reachable by this process). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
